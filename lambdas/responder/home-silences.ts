import type { Silence } from '../../lib/core/silences';
import type { Log } from '../shared/observability';
import type { SilenceReader } from '../shared/storage/silences';

/**
 * The ad-hoc silences a regional responder obeys: the home region's, where `oncall silence`, the pages and the
 * incidents keep them (one source of truth, read across regions: a round trip more per notification). When the
 * home region cannot answer (the outage a regional responder keeps acting through), the responder acts without
 * them and says so in its log: the config's silencing windows, compiled into it, still hold.
 */
export function homeSilences(home: SilenceReader, homeRegion: string, logger: Log): SilenceReader {
  return {
    async listActive(now: Date): Promise<Silence[]> {
      try {
        return await home.listActive(now);
      } catch (error) {
        logger.warn('ad-hoc silences unreadable in the home region: acting on the config windows only', { homeRegion, error: String(error) });
        return [];
      }
    },
  };
}
