/**
 * Applies the gateway.yaml pushed to `<prefix>config/gateway.yaml` (design §3.7), the same way a
 * local edit is applied: build → validate → swap, all or nothing.
 *
 *   watch config key ─► new text at revision R ─► setConfigLayer(pushed R) ─► reloader.reload()
 *        ok  ─► the pushed document is in force: report configRevision R
 *        bad ─► setConfigLayer(previous) (the running pipeline never changed): report configError
 *   key deleted ─► back to the local file alone
 *
 * Applies run one at a time; a document that arrives while one is being applied is applied next
 * (only the newest). Until the document in etcd at start has been applied the gateway is not ready;
 * a gateway that refuses it stays not ready rather than serve with its local shared sections.
 */
import type { IKeyValue } from 'etcd3';
import type { Logger } from '../contracts.js';
import { sharedConfigLayer, type ConfigLayer } from '../config-layer.js';
import type { Reloader } from '../reload.js';
import type { EtcdConnection } from './connection.js';
import { prefixRange } from './keys.js';
import type { ConfigErrorReport } from './member.js';
import { RangeWatch } from './range-watch.js';

const RETRY_MS = 1000;

export interface SharedConfigStatus {
  readonly configRevision: number;
  readonly configError: ConfigErrorReport | null;
}

interface Pushed {
  readonly revision: number;
  /** undefined: the key was deleted. */
  readonly text: string | undefined;
}

export class SharedConfig {
  private watch: RangeWatch | undefined;
  private retry: NodeJS.Timeout | undefined;
  private layer: ConfigLayer | undefined;
  private pending: Pushed | undefined;
  private applying = false;
  private closed = false;
  /** Revision of the document in force (0: the local file alone). */
  private revision = 0;
  /** True once the document etcd held at start is in force. */
  synced = false;

  constructor(
    private readonly etcd: EtcdConnection,
    private readonly reloader: Reloader,
    private readonly setLayer: (layer: ConfigLayer | undefined) => void,
    private readonly report: (status: SharedConfigStatus) => void,
    private readonly logger: Logger,
  ) {}

  /** Reads the pushed document, applies it and follows changes; retries while etcd is unreachable. */
  async start(): Promise<void> {
    try {
      const { revision, kv } = await this.etcd.get('config read', this.etcd.keys.config, { code: 'LG_ERR_ETCD_UNAVAILABLE' });
      if (this.closed) return;
      this.watch = new RangeWatch(this.etcd.client, prefixRange(this.etcd.keys.config), revision + 1, {
        events: (events) => {
          const last = events[events.length - 1]!;
          this.offer(last.type === 'Put' ? this.pushed(last.kv) : { revision: Number(last.kv.mod_revision), text: undefined })
            .catch((error: unknown) => this.logger.error({ err: error }, 'applying the pushed config failed'));
        },
        compacted: () => void this.start(),
      }, this.logger.child({ watch: 'config' }));
      if (kv) await this.offer(this.pushed(kv));
      else this.synced = true;
    } catch (error) {
      if (this.closed) return;
      this.logger.warn({ err: error }, 'reading the pushed config from etcd failed; retrying');
      this.retry = setTimeout(() => void this.start(), RETRY_MS);
      this.retry.unref();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.watch?.close();
  }

  private pushed(kv: IKeyValue): Pushed {
    return { revision: Number(kv.mod_revision), text: kv.value.toString('utf8') };
  }

  /** Queues a document; resolves once everything queued so far has been applied or refused. */
  private async offer(pushed: Pushed): Promise<void> {
    if (pushed.revision <= this.revision && pushed.text !== undefined) return;
    this.pending = pushed;
    if (this.applying) return;
    this.applying = true;
    try {
      for (let next: Pushed | undefined = this.pending; next !== undefined && !this.closed; next = this.pending) {
        this.pending = undefined;
        await this.apply(next);
      }
    } finally {
      this.applying = false;
    }
  }

  private async apply(pushed: Pushed): Promise<void> {
    const previous = this.layer;
    const next = pushed.text === undefined ? undefined : sharedConfigLayer(pushed.text, `etcd:${this.etcd.keys.config}@${pushed.revision}`);
    this.setLayer(next);
    const outcome = await this.reloader.reload();
    if (outcome.ok) {
      this.layer = next;
      this.revision = pushed.text === undefined ? 0 : pushed.revision;
      this.synced = true;
      this.logger.info({ revision: pushed.revision, changed: outcome.changed }, pushed.text === undefined ? 'pushed config removed; the local file alone is in force' : 'pushed config applied');
      this.report({ configRevision: this.revision, configError: null });
      return;
    }
    this.setLayer(previous);
    const { error } = outcome;
    this.logger.error({ revision: pushed.revision, code: error.code, file: error.file, line: error.line }, `pushed config refused, revision ${this.revision} stays:\n${error.report}`);
    this.report({
      configRevision: this.revision,
      configError: { revision: pushed.revision, code: error.code, message: error.message, file: error.file, line: error.line, column: error.column, report: error.report },
    });
  }
}
