/**
 * Answers a cacheable `ask` from memory (spec/linkis.md §8.4, acceptance 58): the key is the
 * target, the type and the value's JSON; an entry expires `expireMs` after it was last read
 * (expire-after-access, as Linkis's Guava cache) and the least recently read entries go first
 * beyond `maxEntries`. Concurrent asks for one key share one request; a failure is never cached.
 */
import { LRUCache } from 'lru-cache';
import type { Message } from '../message-types.js';
import type { Call, Invocation, RpcInterceptor } from '../invocation.js';

type Answer = Promise<Message | undefined>;

export interface CacheStats {
  hits: number;
  misses: number;
}

export function cacheKey(invocation: Pick<Invocation, 'target' | 'message'>): string {
  const { target, message } = invocation;
  return `${target.application.toLowerCase()}\u0000${target.instance ?? ''}\u0000${message.type}\u0000${JSON.stringify(message.value)}`;
}

export class CacheInterceptor implements RpcInterceptor {
  readonly name = 'cache';
  readonly priority = Number.MAX_SAFE_INTEGER;
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  /** One LRU per message type, sized and timed by that type's policy (lru-cache: expire after access). */
  private readonly byType = new Map<string, LRUCache<string, Answer>>();

  constructor(private readonly now: () => number = Date.now) {}

  private entriesOf(type: string, policy: { readonly maxEntries: number; readonly expireMs: number }): LRUCache<string, Answer> {
    let entries = this.byType.get(type);
    if (!entries) {
      entries = new LRUCache<string, Answer>({
        max: policy.maxEntries, ttl: policy.expireMs, updateAgeOnGet: true, ttlResolution: 0, perf: { now: this.now },
      });
      this.byType.set(type, entries);
    }
    return entries;
  }

  wrap(next: Call): Call {
    return (invocation) => {
      const policy = invocation.messageType.policies.cache;
      if (!policy || invocation.kind !== 'ask') return next(invocation);
      const entries = this.entriesOf(invocation.message.type, policy);
      const key = cacheKey(invocation);
      const cached = entries.get(key);
      if (cached) {
        this.stats.hits++;
        return cached;
      }
      this.stats.misses++;
      const answer = next(invocation);
      entries.set(key, answer);
      answer.catch(() => {
        if (entries.peek(key) === answer) entries.delete(key);
      });
      return answer;
    };
  }

  /** Forgets the cached answers to `message` (any target); Linkis's `removeCache`. */
  remove(message: Message): void {
    const entries = this.byType.get(message.type);
    if (!entries) return;
    const suffix = `\u0000${message.type}\u0000${JSON.stringify(message.value)}`;
    for (const key of [...entries.keys()]) if (key.endsWith(suffix)) entries.delete(key);
  }

  clear(): void {
    this.byType.clear();
  }
}
