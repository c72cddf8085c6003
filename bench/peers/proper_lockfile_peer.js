// proper-lockfile side of bench/run.sh (module installed by run.sh into bench/.npm).
//
//   cycle DIR ITERS REPS                median per-op ns of lockSync()+release(), and of
//                                       await lock() + await release(), uncontended
//   hold FILE                           lock FILE (stale 2000 ms, its minimum) and stay alive
//   wait FILE TIMEOUT_S STAMPFILE       retry every 2 ms (as dd-lock polls) until TIMEOUT_S, then
//                                       write the time in ns to STAMPFILE; exit 3 on timeout
'use strict';
const fs = require('fs');
const path = require('path');
const lockfile = require(path.join(__dirname, '..', '.npm', 'node_modules', 'proper-lockfile'));
const version = require(path.join(__dirname, '..', '.npm', 'node_modules', 'proper-lockfile',
                                  'package.json')).version;

const nowNs = () => process.hrtime.bigint();
const {performance} = require('perf_hooks');
// Wall clock in ns (sub-microsecond resolution), comparable with the other stamps.
const wallNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
const report = (name, perOp, iters, reps) => {
  perOp.sort((a, b) => a - b);
  console.log(`bench=${name} ns_per_op=${perOp[perOp.length >> 1].toFixed(0)} ` +
              `min=${perOp[0].toFixed(0)} max=${perOp[perOp.length - 1].toFixed(0)} ` +
              `iters=${iters} reps=${reps} version=${version}`);
};

async function cycle(dir, iters, reps) {
  const file = path.join(dir, 'proper-lockfile.target');
  fs.writeFileSync(file, '');
  const opts = {realpath: false};
  const sync = [];
  for (let i = 0; i < iters / 10; ++i) lockfile.lockSync(file, opts)();
  for (let r = 0; r < reps; ++r) {
    const t0 = nowNs();
    for (let i = 0; i < iters; ++i) lockfile.lockSync(file, opts)();
    sync.push(Number(nowNs() - t0) / iters);
  }
  report('proper-lockfile.lockSync_release', sync, iters, reps);
  const async_ = [];
  for (let r = 0; r < reps; ++r) {
    const t0 = nowNs();
    for (let i = 0; i < iters; ++i) {
      const release = await lockfile.lock(file, opts);
      await release();
    }
    async_.push(Number(nowNs() - t0) / iters);
  }
  report('proper-lockfile.lock_release_async', async_, iters, reps);
}

async function hold(file) {
  fs.closeSync(fs.openSync(file, 'a'));
  await lockfile.lock(file, {realpath: false, stale: 2000, onCompromised: () => {}});
  setTimeout(() => {}, 60000);
}

async function wait(file, timeoutS, stamp) {
  fs.closeSync(fs.openSync(file, 'a'));
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    try {
      const release = await lockfile.lock(file, {realpath: false, stale: 2000});
      fs.writeFileSync(stamp, `${wallNs()}\n`);
      await release();
      return;
    } catch (e) {
      if (e.code !== 'ELOCKED') throw e;
      if (Date.now() >= deadline) process.exit(3);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

const [cmd, ...args] = process.argv.slice(2);
const run = cmd === 'cycle' ? cycle(args[0], Number(args[1]), Number(args[2]))
          : cmd === 'hold' ? hold(args[0])
          : cmd === 'wait' ? wait(args[0], Number(args[1]), args[2])
          : Promise.reject(new Error('usage: cycle DIR ITERS REPS | hold FILE | wait FILE T STAMP'));
run.catch((e) => { console.error(`proper_lockfile_peer: ${e.message}`); process.exit(1); });
