import { findAlert, type Category } from './catalog';
import type { Config } from './config/schema';
import { LOW_TRAFFIC_ALERT, type SilencingWindow } from './config/silencing';
import { isoWeekday, localParts, zonedToUtc } from './zoned-time';

/**
 * Silences: while one matches an alert, its alarms still fire and are recorded in the incident timeline, but
 * nobody is paged and no mitigation runs. Two sources: ad-hoc silences on-call creates (`oncall silence`,
 * stored in the audit table) and the config's weekly windows (`silencing`). Plain data and pure functions: the
 * responder, the escalation starter and the CLI decide with the same code.
 */

/** What an ad-hoc silence quiets: exactly one of an alert id (every service), a service, a category. */
export type SilenceMatch =
  | { readonly alertId: string; readonly service?: undefined; readonly category?: undefined }
  | { readonly service: string; readonly alertId?: undefined; readonly category?: undefined }
  | { readonly category: Category; readonly alertId?: undefined; readonly service?: undefined };

/** One ad-hoc silence. Kept after it ends, for the audit trail (who, why, until when, who ended it). */
export interface Silence {
  /** 8 hex characters; what `oncall unsilence` takes. */
  readonly id: string;
  readonly match: SilenceMatch;
  /** ISO 8601 UTC, exclusive. Ending a silence early sets it to the moment it was ended. */
  readonly until: string;
  readonly createdAt: string;
  /** The OS user and the AWS principal that created it. */
  readonly createdBy: string;
  readonly reason: string;
  readonly endedAt?: string;
  readonly endedBy?: string;
}

/** The alarm being decided on: its alert, the alert's category, and its service (per-service alarms only). */
export interface SilenceSubject {
  readonly alertId: string;
  readonly category: Category;
  /** The alarm's service; undefined for alerts that exist once per environment (a service silence never matches them). */
  readonly service: string | undefined;
}

/** What silences an alarm right now, and until when. */
export interface SilenceHit {
  readonly kind: 'silence' | 'maintenance' | 'low-traffic';
  /** The silence id, or the window's name. */
  readonly name: string;
  /** ISO 8601 UTC: when this silence or this occurrence of the window ends. */
  readonly until: string;
  readonly reason: string;
}

/** "alert HighAPIErrorRate", "service chatbot-api", "category security". */
export function describeMatch(match: SilenceMatch): string {
  if (match.alertId !== undefined) return `alert ${match.alertId}`;
  if (match.service !== undefined) return `service ${match.service}`;
  return `category ${match.category}`;
}

/** "silenced by silence 1a2b3c4d until 2026-11-27T15:00:00.000Z: deploying the fix": the audit record's reason. */
export function describeHit(hit: SilenceHit): string {
  return `silenced by ${hit.kind} ${hit.name} until ${hit.until}: ${hit.reason}`;
}

/** A silence is active from its creation until `until` (exclusive). */
export function isActive(silence: Pick<Silence, 'until'>, now: Date): boolean {
  return now.toISOString() < silence.until;
}

/** The subject of an alarm: a per-service alert's service is its alarm's instance; other alerts have none. */
export function subjectOf(alertId: string, instance: string | undefined): SilenceSubject | undefined {
  const alert = findAlert(alertId);
  if (!alert) return undefined;
  const perService = alert.scope === 'service' || alert.scope === 'service-rds';
  return { alertId, category: alert.category, service: perService ? instance : undefined };
}

/**
 * What silences the subject at `now`: an active ad-hoc silence that matches it, a maintenance window in
 * progress that matches it, or (UsageDrop only) an expected low-traffic window in progress. When several do,
 * the one that lasts longest: it says when paging resumes. Undefined when nothing does.
 */
export function silencedBy(now: Date, subject: SilenceSubject, silences: readonly Silence[], config: Pick<Config, 'silencing'>): SilenceHit | undefined {
  const hits: SilenceHit[] = [];
  for (const silence of silences) {
    if (isActive(silence, now) && matchesSilence(silence.match, subject))
      hits.push({ kind: 'silence', name: silence.id, until: silence.until, reason: silence.reason });
  }
  for (const { kind, window, until, reason } of windowsInForce(now, config)) {
    const applies = kind === 'maintenance' || subject.alertId === LOW_TRAFFIC_ALERT;
    if (applies && matchesWindow(window, subject)) hits.push({ kind, name: window.name, until, reason });
  }
  return hits.sort((a, b) => (a.until < b.until ? 1 : a.until > b.until ? -1 : 0))[0];
}

/** A config window whose occurrence is in progress. */
export interface WindowInForce {
  readonly kind: 'maintenance' | 'low-traffic';
  readonly window: SilencingWindow;
  /** ISO 8601 UTC: the end of this occurrence. */
  readonly until: string;
  /** The window's reason, or the kind's. */
  readonly reason: string;
}

/** The config's windows in progress at `now` (low-traffic windows quiet UsageDrop only). */
export function windowsInForce(now: Date, config: Pick<Config, 'silencing'>): WindowInForce[] {
  const inForce = (kind: WindowInForce['kind'], windows: readonly SilencingWindow[], fallback: string) =>
    windows.flatMap((window) => {
      const until = windowEnd(window, now);
      return until ? [{ kind, window, until, reason: window.reason ?? fallback }] : [];
    });
  return [
    ...inForce('maintenance', config.silencing.maintenanceWindows, 'planned maintenance'),
    ...inForce('low-traffic', config.silencing.lowTrafficWindows, `expected low-traffic period (${LOW_TRAFFIC_ALERT} only)`),
  ];
}

/** Exactly the field the silence names must match; a service silence never matches an environment-wide alert. */
export function matchesSilence(match: SilenceMatch, subject: SilenceSubject): boolean {
  if (match.alertId !== undefined) return match.alertId === subject.alertId;
  if (match.service !== undefined) return match.service === subject.service;
  return match.category === subject.category;
}

/** Every field the window lists must match (within a field, any listed value); no field matches everything. */
export function matchesWindow(window: SilencingWindow, subject: SilenceSubject): boolean {
  const { alerts, services, categories } = window.match;
  if (alerts && !alerts.includes(subject.alertId)) return false;
  if (services && (subject.service === undefined || !services.includes(subject.service))) return false;
  if (categories && !categories.includes(subject.category)) return false;
  return true;
}

/**
 * The end (ISO UTC) of the occurrence of a weekly window in progress at `now`, or undefined when none is. An
 * occurrence starts on one of `days` at `start` local time and ends at `end`, on the next day when `end` is
 * earlier than `start` (a window across midnight belongs to the day it starts on).
 */
export function windowEnd(window: Pick<SilencingWindow, 'days' | 'start' | 'end' | 'timezone'>, now: Date): string | undefined {
  const local = localParts(now, window.timezone);
  const minute = local.hour * 60 + local.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const endOn = (dayOffset: number) =>
    zonedToUtc(local.year, local.month, local.day + dayOffset, Math.floor(end / 60), end % 60, window.timezone).toISOString();
  if (start < end) return window.days.includes(local.weekday) && minute >= start && minute < end ? endOn(0) : undefined;
  if (window.days.includes(local.weekday) && minute >= start) return endOn(1);
  const yesterday = isoWeekday(local.year, local.month, local.day - 1);
  return window.days.includes(yesterday) && minute < end ? endOn(0) : undefined;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}
