/**
 * Sessions: tickets (ticket-cipher.ts) backed by records in a SessionStore (session-store.ts).
 *
 *   login   ─► issue(principal) ─► ticket = seal(user, now); store[digest(ticket)] = record ─► Set-Cookie
 *   request ─► verify(ticket)   ─► GCM tag ─► store lookup ─► idle TTL ─► refresh once half of it passed
 *   logout  ─► revoke(ticket)   ─► store delete
 *
 * Settings (`security.session`) follow the config in force: `apply` runs when a config version is
 * swapped in and derives a new key only when the secret changed (which logs everyone out).
 */
import { createHash } from 'node:crypto';
import type { Principal, SessionService } from '../contracts.js';
import { TicketCipher } from './ticket-cipher.js';
import type { SessionRecord, SessionStore } from './session-store.js';

export interface SessionSettings {
  readonly cookie: string;
  /** Idle timeout in ms. */
  readonly ttl: number;
  /** The resolved secret (never "auto"). */
  readonly secret: string;
  readonly secure: boolean;
}

/** Linkis's proxy-user ticket cookie, cleared on logout as Linkis does. */
export const PROXY_TICKET_COOKIE = 'linkis_user_session_proxy_ticket_id_v1';
/** A ticket minted for an upstream (token, bearer and SSO requests) is reused for this long. */
const UPSTREAM_TICKET_REUSE_MS = 60_000;
const MAX_UPSTREAM_TICKETS = 10_000;
/** Opened tickets remembered, so a busy session costs one map lookup instead of AES-GCM + SHA-256. */
const MAX_OPENED_TICKETS = 10_000;

/** The store key: a digest, so the store never holds a usable ticket. */
export function ticketDigest(ticket: string): string {
  return createHash('sha256').update(ticket).digest('base64url');
}

export class Sessions implements SessionService {
  private settings: SessionSettings;
  private cipher: TicketCipher;
  private readonly upstream = new Map<string, { ticket: string; until: number }>();
  /**
   * ticket → what opening it yields (user, store id). Only the pure decoding is remembered: whether
   * the session is alive is asked of the store on every request, so revocation and expiry are exact.
   */
  private readonly opened = new Map<string, { user: string; id: string }>();

  constructor(readonly store: SessionStore, settings: SessionSettings, private readonly clock: () => number = Date.now) {
    this.settings = settings;
    this.cipher = new TicketCipher(settings.secret);
  }

  apply(settings: SessionSettings): void {
    if (settings.secret !== this.settings.secret) {
      this.cipher = new TicketCipher(settings.secret);
      this.upstream.clear();
      this.opened.clear();
    }
    this.settings = settings;
  }

  get cookieName(): string {
    return this.settings.cookie;
  }

  get ttl(): number {
    return this.settings.ttl;
  }

  async issue(principal: Omit<Principal, 'ticket'>): Promise<string> {
    const now = this.clock();
    const ticket = this.cipher.seal(principal.user, now);
    const record: SessionRecord = { user: principal.user, admin: principal.admin, via: principal.via, createdAt: now, lastAccess: now };
    await this.store.put(ticketDigest(ticket), record, now + this.settings.ttl);
    return ticket;
  }

  private open(ticket: string): { user: string; id: string } | undefined {
    const known = this.opened.get(ticket);
    if (known) return known;
    const content = this.cipher.open(ticket);
    if (!content) return undefined;
    if (this.opened.size >= MAX_OPENED_TICKETS) this.opened.clear();
    const opened = { user: content.user, id: ticketDigest(ticket) };
    this.opened.set(ticket, opened);
    return opened;
  }

  /** Answers at once when the store can (memory), so a live session costs no promise. */
  verify(ticket: string): Principal | undefined | Promise<Principal | undefined> {
    const opened = this.open(ticket);
    if (!opened) return undefined;
    const { store } = this;
    if (store.peek) return this.live(ticket, opened, store.peek(opened.id));
    return store.get(opened.id).then((record) => this.live(ticket, opened, record));
  }

  private live(ticket: string, opened: { user: string; id: string }, record: SessionRecord | undefined): Principal | undefined | Promise<Principal | undefined> {
    if (!record || record.user !== opened.user) return undefined;
    const { id } = opened;
    const now = this.clock();
    const idle = now - record.lastAccess;
    const { ttl } = this.settings;
    if (idle >= ttl) {
      return this.store.delete(id).then(() => undefined, () => undefined); // the store forgets it at its expiry anyway
    }
    const principal: Principal = { user: record.user, admin: record.admin, via: record.via, ticket };
    // Linkis's rule: refresh only once half the timeout has passed, so most requests write nothing.
    // A shared store that cannot be written (etcd unreachable) must not refuse a live session: it
    // stays valid until its stored expiry and the next request refreshes it.
    if (idle >= ttl / 2) return this.store.put(id, { ...record, lastAccess: now }, now + ttl).then(() => principal, () => principal);
    return principal;
  }

  async revoke(ticket: string): Promise<void> {
    const opened = this.open(ticket);
    if (opened) await this.store.delete(opened.id);
  }

  /**
   * A ticket for an upstream when the request did not come with a session (Linkis adds one for
   * token requests). It is not stored, so it cannot be used to log in at the gateway.
   */
  upstreamTicket(user: string): string {
    const now = this.clock();
    const cached = this.upstream.get(user);
    if (cached && cached.until > now) return cached.ticket;
    if (this.upstream.size >= MAX_UPSTREAM_TICKETS) this.upstream.clear();
    const ticket = this.cipher.seal(user, now);
    this.upstream.set(user, { ticket, until: now + UPSTREAM_TICKET_REUSE_MS });
    return ticket;
  }

  /** A session cookie (no Max-Age, as Linkis), HttpOnly and SameSite=Lax unlike Linkis. */
  setCookie(ticket: string): string {
    return `${this.settings.cookie}=${ticket}; Path=/; HttpOnly; SameSite=Lax${this.settings.secure ? '; Secure' : ''}`;
  }

  clearCookies(): string[] {
    const attributes = `Path=/; Max-Age=0; HttpOnly; SameSite=Lax${this.settings.secure ? '; Secure' : ''}`;
    return [`${this.settings.cookie}=; ${attributes}`, `${PROXY_TICKET_COOKIE}=; ${attributes}`];
  }
}
