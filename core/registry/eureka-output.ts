/**
 * Answers of the Eureka API (spec eureka-and-etcd.md §3): root-wrapped envelopes, `application`
 * and `instance` always arrays (every application carries `instance`, or eureka-js-client aborts
 * its fetch), string `versions__delta`, and `apps__hashcode` as `STATUS_count_` per status
 * present, statuses in alphabetical order.
 */
import type { ActionType, EurekaRecord } from './eureka-record.js';

/** A record as served, with the action that last touched it. */
export interface ServedInstance {
  readonly record: EurekaRecord;
  readonly action: ActionType;
}

export interface ApplicationsJson {
  applications: {
    versions__delta: string;
    apps__hashcode: string;
    application: { name: string; instance: (EurekaRecord & { actionType: ActionType })[] }[];
  };
}

export function instanceJson(served: ServedInstance): EurekaRecord & { actionType: ActionType } {
  return { ...served.record, actionType: served.action };
}

export function appsHashcode(statuses: Iterable<string>): string {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts.keys()].sort().map((status) => `${status}_${counts.get(status)}_`).join('');
}

/** Groups instances by application (sorted by name, instances by id) into the `applications` envelope. */
export function applicationsJson(instances: Iterable<ServedInstance>, revision: number, hashcode?: string): ApplicationsJson {
  const byApp = new Map<string, ServedInstance[]>();
  const statuses: string[] = [];
  for (const served of instances) {
    let list = byApp.get(served.record.app);
    if (!list) byApp.set(served.record.app, (list = []));
    list.push(served);
    statuses.push(served.record.status);
  }
  const application = [...byApp.keys()].sort().map((name) => ({
    name,
    instance: byApp.get(name)!.sort((a, b) => a.record.instanceId.localeCompare(b.record.instanceId)).map(instanceJson),
  }));
  return {
    applications: {
      versions__delta: String(revision),
      apps__hashcode: hashcode ?? appsHashcode(statuses),
      application,
    },
  };
}

/** True when `value` is one entry of a comma-separated VIP list (exact, case-sensitive, as Eureka). */
export function vipListContains(list: string | undefined, value: string): boolean {
  if (list === undefined) return false;
  return list.split(',').some((entry) => entry.trim() === value);
}
