// write-file-atomic (+ proper-lockfile for the counter) side of bench/atomic.sh (modules
// installed by bench/atomic.sh into bench/.npm).
//
//   loop DIR ITERS REPS SIZE   median per-op ns of writeFileAtomic.sync(F, SIZE bytes), with its
//                              default fsync (file only: it never syncs the directory) and with
//                              {fsync: false}
//   write FILE                 replace FILE with standard input (one whole command)
//   counter FILE N             N increments of {"n": K} in FILE: proper-lockfile lock (retried
//                              every 1 ms, for 100 s at most), read, await writeFileAtomic,
//                              release
'use strict';
const fs = require('fs');
const path = require('path');
const modules = path.join(__dirname, '..', '.npm', 'node_modules');
const writeFileAtomic = require(path.join(modules, 'write-file-atomic'));
const lockfile = require(path.join(modules, 'proper-lockfile'));
const version = require(path.join(modules, 'write-file-atomic', 'package.json')).version;

const nowNs = () => process.hrtime.bigint();

function timed(name, iters, reps, op) {
  for (let i = 0; i < Math.max(1, iters / 10); ++i) op();
  const perOp = [];
  for (let r = 0; r < reps; ++r) {
    const t0 = nowNs();
    for (let i = 0; i < iters; ++i) op();
    perOp.push(Number(nowNs() - t0) / iters);
  }
  perOp.sort((a, b) => a - b);
  console.log(`bench=${name} ns_per_op=${perOp[perOp.length >> 1].toFixed(0)} ` +
              `min=${perOp[0].toFixed(0)} max=${perOp[perOp.length - 1].toFixed(0)} ` +
              `iters=${iters} reps=${reps} version=${version}`);
}

function loop(dir, iters, reps, size) {
  const data = Buffer.alloc(size, 'x');
  const durable = path.join(dir, 'write-file-atomic.dat');
  const noSync = path.join(dir, 'write-file-atomic-no-fsync.dat');
  timed('write-file-atomic.sync', iters, reps, () => writeFileAtomic.sync(durable, data));
  timed('write-file-atomic.sync_no_fsync', iters, reps,
        () => writeFileAtomic.sync(noSync, data, {fsync: false}));
}

async function counter(file, n) {
  const opts = {realpath: false, retries: {retries: 100000, factor: 1, minTimeout: 1, maxTimeout: 1}};
  for (let i = 0; i < n; ++i) {
    const release = await lockfile.lock(file, opts);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.n += 1;
    await writeFileAtomic(file, JSON.stringify(doc) + '\n');
    await release();
  }
}

async function main(argv) {
  if (argv.length === 6 && argv[1] === 'loop') return loop(argv[2], +argv[3], +argv[4], +argv[5]);
  if (argv.length === 3 && argv[1] === 'write') {
    return writeFileAtomic.sync(argv[2], fs.readFileSync(0));
  }
  if (argv.length === 4 && argv[1] === 'counter') return counter(argv[2], +argv[3]);
  console.error('usage: write_file_atomic_peer.js loop DIR ITERS REPS SIZE | write FILE | ' +
                'counter FILE N');
  process.exit(64);
}

main(process.argv.slice(1)).catch((e) => {
  console.error(`write_file_atomic_peer: ${e.message}`);
  process.exit(1);
});
