#!/usr/bin/env node
// The demo's workload: a tiny but real training run, plain Node, no dependencies.
//
// A linear probe is fitted by full-batch gradient descent to pooled features of `batch`
// sequences. What the factors do is what they do in a real sweep, only smaller:
// - memory: the activations kept for the backward pass grow with batch × seq × hidden × layers,
//   so the batch=large × seq=long corner really needs ~270 MB more than the others;
// - run time: a step costs more for longer sequences, and a low learning rate on a badly
//   conditioned split needs many more steps to converge;
// - stability: gradient descent diverges when lr × the curvature's largest eigenvalue
//   exceeds 2; short sequences (noisier pooled features) with a small batch and the high
//   learning rate cross that line on one split, and the loss really goes to inf, then NaN.
// The data are drawn from a seeded generator, so every run of a condition behaves the same.
//
// usage: node train.mjs --batch small|large --seq short|medium|long --lr <float> --fold <int> --out <path>
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    batch: { type: 'string' },
    seq: { type: 'string' },
    lr: { type: 'string' },
    fold: { type: 'string' },
    out: { type: 'string' },
  },
});

const BATCH = { small: 16, large: 64 };
const SEQ = { short: 32, medium: 128, long: 512 };
/** Milliseconds a step takes per sequence length: attention over longer sequences costs more. */
const STEP_MS = { short: 1, medium: 3, long: 6 };
const HIDDEN = 256;
const LAYERS = 4;
const FEATURES = 4;
const TRUE_WEIGHTS = [1, -2, 0.5, 1.5];
const MAX_STEPS = 5000;
const GRAD_TOLERANCE = 1e-3;

const batch = BATCH[values.batch];
const seq = SEQ[values.seq];
const lr = Number(values.lr);
const fold = Number(values.fold);
if (batch === undefined || seq === undefined || !(lr > 0) || !Number.isInteger(fold) || !values.out) {
  console.error(
    'usage: train.mjs --batch small|large --seq short|medium|long --lr <float> --fold <int> --out <path>',
  );
  process.exit(2);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded generator, so a condition's data are the same on every run. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next) {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** Pooled features: shorter sequences average fewer tokens, so their features are noisier. */
function dataset(split) {
  const next = generator(45 * 7919 + fold * 104729 + batch + (split === 'val' ? 1 : 0));
  const scale = Math.sqrt(64 / seq) + 0.5;
  // Short sequences also carry less signal about the target: a noisier label.
  const noise = 0.05 + 0.15 * Math.sqrt(32 / seq);
  const x = [];
  const y = [];
  for (let i = 0; i < batch; i++) {
    const row = Array.from({ length: FEATURES }, () => scale * gaussian(next));
    x.push(row);
    y.push(row.reduce((sum, v, j) => sum + v * TRUE_WEIGHTS[j], 0) + noise * gaussian(next));
  }
  return { x, y };
}

function lossOf(w, { x, y }) {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const error = x[i].reduce((s, v, j) => s + v * w[j], 0) - y[i];
    sum += (error * error) / x.length;
  }
  return sum;
}

const started = Date.now();
console.log(`train: batch=${values.batch} (${batch}) seq=${values.seq} (${seq}) lr=${lr} fold=${fold}`);

// The activations of the forward pass, kept for the backward pass: allocated layer by layer
// and written to, so the memory is really resident (an untouched allocation would not be).
const activations = [];
for (let layer = 0; layer < LAYERS; layer++) {
  const buffer = new Float64Array(batch * seq * HIDDEN);
  buffer.fill(layer + 1);
  activations.push(buffer);
  const mb = (activations.length * buffer.byteLength) / (1024 * 1024);
  console.log(`forward: layer ${layer + 1}/${LAYERS}, ${mb.toFixed(0)} MB of activations`);
  await sleep(100);
}

const train = dataset('train');
const val = dataset('val');
const w = new Array(FEATURES).fill(0);
let step = 0;
for (; step < MAX_STEPS; step++) {
  const gradient = new Array(FEATURES).fill(0);
  let loss = 0;
  for (let i = 0; i < batch; i++) {
    const error = train.x[i].reduce((s, v, j) => s + v * w[j], 0) - train.y[i];
    loss += (error * error) / batch;
    for (let j = 0; j < FEATURES; j++) gradient[j] += (2 * error * train.x[i][j]) / batch;
  }
  // A diverging loss overflows to inf first; one more step of inf - inf makes it NaN.
  if (Number.isNaN(loss)) {
    // The wording PyTorch Lightning and fairseq use, which sweepwatch's classifier knows.
    console.error(`FloatingPointError: Loss is nan at step ${step} (lr=${lr}); stopping training`);
    process.exit(1);
  }
  if (step % 100 === 0) console.log(`step ${step}: loss ${loss.toPrecision(4)}`);
  if (Math.hypot(...gradient) < GRAD_TOLERANCE) break;
  for (let j = 0; j < FEATURES; j++) w[j] -= lr * gradient[j];
  // Touch the activations as a backward pass would; keeps them resident to the end.
  activations[step % LAYERS][step % 1024] += 1;
  await sleep(STEP_MS[values.seq]);
}

const metrics = {
  loss: lossOf(w, train),
  val_loss: lossOf(w, val),
  steps: step,
  seconds: (Date.now() - started) / 1000,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(metrics, null, 2)}\n`);
console.log(`done: ${JSON.stringify(metrics)}`);
