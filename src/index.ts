// The Action's entry: the CommonJS shim first (ssh2 needs it), then main(). Nothing else.
import './shims/cjs-globals.js';
import { run } from './main.js';

await run();
