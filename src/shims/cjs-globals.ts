/**
 * ssh2's wasm crypto loader reads the CommonJS free variables __dirname and __filename, which an
 * ESM bundle does not have: without this the bundle dies at load with "__dirname is not defined".
 * This module must be the first import of every entry point, so that it runs before ssh2's code.
 * It is the project's one deliberate import-time side effect.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const scope = globalThis as { __filename?: string; __dirname?: string };
scope.__filename ??= fileURLToPath(import.meta.url);
scope.__dirname ??= dirname(scope.__filename);
