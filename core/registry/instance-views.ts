/**
 * Eureka records → the router's InstanceView. The Linkis instance name is `hostName:port`
 * (Spring's `EurekaServiceInstance.getHost()` is the host name; clients that prefer IPs register
 * the IP as host name), and a `route` metadata entry is the registration's route label.
 */
import { ROUTE_METADATA_KEY, type EurekaRecord } from './eureka-record.js';
import { makeInstance, type InstanceSource, type InstanceView } from './snapshot.js';

export function registrationLabels(record: EurekaRecord): Record<string, string> {
  const route = record.metadata[ROUTE_METADATA_KEY];
  return route === undefined || route === '' ? {} : { [ROUTE_METADATA_KEY]: route };
}

export function instanceView(record: EurekaRecord, source: InstanceSource): InstanceView {
  return makeInstance({
    app: record.app,
    id: record.instanceId,
    host: record.hostName,
    port: record.port.$,
    status: record.status,
    labels: registrationLabels(record),
    metadata: record.metadata,
    source,
  });
}

/** Views of the records; the same view object is reused while its record is unchanged. */
export class ViewCache {
  private views = new WeakMap<EurekaRecord, InstanceView>();

  constructor(private readonly source: InstanceSource) {}

  viewsOf(records: Iterable<EurekaRecord>): InstanceView[] {
    const out: InstanceView[] = [];
    for (const record of records) {
      let view = this.views.get(record);
      if (!view) {
        view = instanceView(record, this.source);
        this.views.set(record, view);
      }
      out.push(view);
    }
    return out;
  }
}
