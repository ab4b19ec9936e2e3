import { configuredRegions, forwardingAccounts } from './config/regions';
import type { Config } from './config/schema';
import { parseTransitionKey } from './escalation-plan';

/** Where an alarm state change comes from: the alarm's name, and the account and region it lives in. */
export interface AlarmSource {
  readonly alarmName: string;
  readonly account: string;
  readonly region: string;
}

/**
 * The identity of an alarm across the environment's regions and accounts, as incidents store it. Every serving
 * region deploys the same alarm names, so the name alone would let an OK in us-west-2 clear the us-east-1 alarm
 * still in ALARM. The home region's alarms keep their bare name (the key incidents have always stored, and what
 * on-call types); another region's carry it after an `@`, another account's carry both:
 * `chatbot-HighAPIErrorRate-chatbot-api@us-west-2`, `...@210987654321/us-west-2`.
 */
export function alarmKey(config: Config, source: AlarmSource): string {
  const foreignAccount = config.account !== undefined && source.account !== config.account;
  if (foreignAccount) return `${source.alarmName}@${source.account}/${source.region}`;
  return source.region === config.region ? source.alarmName : `${source.alarmName}@${source.region}`;
}

/** An alarm key read back: the alarm's name, and its region and account when they are not the home ones. */
export function parseAlarmKey(key: string): { readonly alarmName: string; readonly region?: string; readonly account?: string } {
  const at = key.lastIndexOf('@');
  if (at < 0) return { alarmName: key };
  const where = key.slice(at + 1);
  const slash = where.indexOf('/');
  return slash < 0
    ? { alarmName: key.slice(0, at), region: where }
    : { alarmName: key.slice(0, at), account: where.slice(0, slash), region: where.slice(slash + 1) };
}

/**
 * Why a state change is not this environment's, or undefined when it is: its region is not one the environment
 * serves (`regions`, or `region` alone), or its account is neither the environment's `account` nor one a service
 * names (`services[].account`). Such an event reaches
 * the home bus only through a misrouted forwarding rule; it must not page this environment's on-call.
 */
export function foreignSource(config: Config, source: AlarmSource): string | undefined {
  const regions = configuredRegions(config);
  if (!regions.includes(source.region)) return `${source.alarmName} is in ${source.region}, not a region of this environment (${regions.join(', ')})`;
  const accounts = [config.account, ...forwardingAccounts(config)];
  if (config.account !== undefined && !accounts.includes(source.account))
    return `${source.alarmName} is in account ${source.account}, not one of this environment's (${accounts.join(', ')})`;
  return undefined;
}

/** The regions an incident's alarms fired in, from its triggers (`<alarm key>@<time>`), in the order they fired. */
export function regionsOf(config: Config, triggers: readonly string[]): string[] {
  const regions = triggers.map((trigger) => parseAlarmKey(parseTransitionKey(trigger).alarmName).region ?? config.region);
  return [...new Set(regions)];
}
