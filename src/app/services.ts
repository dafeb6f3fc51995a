import type { Handles } from '../context.js';

/** Everything one carebot process opened: only the app layer (boot, CLI) holds it whole. */
export type Services = Handles;
