import { setTimeout as sleep } from 'node:timers/promises';
import { http, initializeBody } from '../test/support/http';
import { startSystem } from '../test/support/system';
import { load } from './load/measure';
import { countCpu } from './support/process-cpu';

const system = await startSystem({ RATE_LIMIT_PER_MINUTE: '100000000' });
try {
  const init = await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', initializeBody());
  const id = init.body.workflow_id; console.log(init.status, JSON.stringify(init.body).slice(0,200));
  await sleep(2000);
  for (const path of [`/api/ai-workflows/status/${id}`]) {
    await load({ name: 'warm', url: system.baseUrl + path, connections: 32, duration: 3 });
    for (let k = 0; k < 2; k++) {
      const cpu = countCpu({ gateway: system.pid('gateway')! });
      const m = await load({ name: 'status', url: system.baseUrl + path, connections: 32, duration: 8 });
      const c = cpu.stop();
      console.log(process.env.EXPT_OFF ?? 'all-on', m.rps, 'req/s', ((c.gateway! / m.requests) * 1e6).toFixed(1), 'µs gateway CPU/req', 'non2xx', m.non2xx);
    }
  }
} finally {
  await system[Symbol.asyncDispose]();
}
