/** The message of the RPC benchmark, shared by both processes, and a payload of typical size. */
import { MessageRegistry } from '../../core/rpc/index.js';

export interface EchoValue {
  id: number;
  user: string;
  labels: Record<string, string>;
  code: string;
  params: Record<string, number>;
}

export function benchMessages() {
  const messages = new MessageRegistry();
  const Echo = messages.define<EchoValue>('bench.Echo', {
    schema: {
      type: 'object',
      properties: {
        id: { type: 'integer' }, user: { type: 'string' }, code: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        params: { type: 'object', additionalProperties: { type: 'number' } },
      },
      required: ['id', 'user', 'labels', 'code', 'params'],
    },
  });
  return { messages, Echo };
}

export const PAYLOAD: EchoValue = {
  id: 1,
  user: 'hadoop',
  labels: { engineType: 'spark-3.2.1', userCreator: 'hadoop-IDE', route: 'et1' },
  code: 'select count(*) from default.orders where day = "2026-11-21" group by region',
  params: { 'spark.executor.instances': 4, 'spark.executor.memory.gb': 8, 'wds.linkis.rm.yarnqueue.instance.max': 10 },
};
