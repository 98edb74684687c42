/**
 * Session tickets in Linkis's TicketCipher v2 format, so that a Linkis backend configured with
 * the same key (`wds.linkis.crypt.key` = `security.session.secret`) reads the same user:
 *
 *   ticket = base64( 0x02 ‖ IV (12 bytes) ‖ AES-256-GCM("bfs_" + user + "," + loginMillis) ‖ tag (16 bytes) )
 *   key    = PBKDF2-HMAC-SHA256(secret, salt "linkis-ticket-v2", 10 000 iterations, 32 bytes)
 *
 * The GCM tag makes a ticket unforgeable without the secret. Being well-formed is not enough to
 * log in: a ticket is valid only while its session is in the store (core/session/sessions.ts).
 * `open` never throws: malformed input of any kind is `undefined` (a 401, never a 500).
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';

const VERSION = 0x02;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = 'linkis-ticket-v2';
const PREFIX = 'bfs_';
/** Far above any real ticket; bounds the work a hostile cookie can cause. */
const MAX_TICKET_CHARS = 2048;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface TicketContent {
  readonly user: string;
  readonly loginMillis: number;
}

export class TicketCipher {
  private readonly key: Buffer;

  /** Derives the key once (about 10 ms): build one cipher per secret, never per request. */
  constructor(secret: string) {
    this.key = pbkdf2Sync(secret, SALT, 10_000, 32, 'sha256');
  }

  seal(user: string, loginMillis: number): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(`${PREFIX}${user},${loginMillis}`, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]).toString('base64');
  }

  open(ticket: string): TicketContent | undefined {
    if (ticket.length > MAX_TICKET_CHARS || !BASE64.test(ticket)) return undefined;
    const bytes = Buffer.from(ticket, 'base64');
    if (bytes.length <= 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) return undefined;
    let text: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(1, 1 + IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      text = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined; // wrong key or tampered: the tag does not verify
    }
    // Linkis: the user is what lies between the prefix and the last comma.
    const comma = text.lastIndexOf(',');
    if (!text.startsWith(PREFIX) || comma <= PREFIX.length) return undefined;
    const millis = text.slice(comma + 1);
    if (!/^\d{1,15}$/.test(millis)) return undefined;
    return { user: text.slice(PREFIX.length, comma), loginMillis: Number(millis) };
  }
}
