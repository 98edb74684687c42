/**
 * Hand-written code kept beside the well-kept library that could replace it, timed in this
 * process on the same inputs. A hand-written piece stays only while this shows the library
 * measurably slower on the hot path (the figure is quoted in the piece's comment).
 *
 *   - client address behind trusted proxies (core/client-address.ts `resolveClient`, on every
 *     request when `server.trustedProxies` is set) against @fastify/proxy-addr's `all` over
 *     the same trust list, for a two-hop X-Forwarded-For chain.
 */
import proxyaddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import { AddressSet, resolveClient } from '../../core/client-address.js';
import { median } from '../lib/median.js';
import type { Benchmark, BenchResult } from '../lib/report.js';

const CALLS = 300_000;
const ROUNDS = 5;
const TRUSTED = ['10.0.0.0/8', '127.0.0.1'];
const PEER = '127.0.0.1';
const FORWARDED = '203.0.113.7, 10.0.0.2';

/** ns per call of `fn`, the median of ROUNDS rounds after one warm-up round. */
function nsPerCall(fn: () => unknown): number {
  const rounds: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) fn();
    if (round > 0) rounds.push(Number(process.hrtime.bigint() - start) / CALLS);
  }
  return median(rounds);
}

export const libraries: Benchmark = {
  name: 'libraries',
  description: 'hand-written hot-path pieces against the library that could replace them (in process)',
  async run(): Promise<BenchResult> {
    const set = new AddressSet(TRUSTED);
    const trust = proxyaddr.compile(TRUSTED);
    const req = { socket: { remoteAddress: PEER }, connection: { remoteAddress: PEER }, headers: { 'x-forwarded-for': FORWARDED } } as unknown as IncomingMessage;
    const ours = resolveClient(PEER, FORWARDED, set);
    const theirs = proxyaddr.all(req, trust);
    if (ours.ip !== theirs.at(-1)) throw new Error(`the two disagree: ${ours.ip} vs ${theirs.at(-1)}`);
    const hand = nsPerCall(() => resolveClient(PEER, FORWARDED, set));
    const library = nsPerCall(() => proxyaddr.all(req, trust));
    return {
      title: 'libraries: hand-written against library, ns per call (median of 5 rounds)',
      rows: [
        { label: 'client address (trusted proxies, 2 hops)', values: { 'hand-written': hand, library, 'library / hand-written': library / hand } },
      ],
      ratios: [{ label: '@fastify/proxy-addr ÷ resolveClient (time per call; > 1: the library is slower)', value: library / hand }],
      notes: ['resolveClient also maps ::ffff: addresses and skips empty and "unknown" hops, which proxy-addr returns as the client'],
    };
  },
};
