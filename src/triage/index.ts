/**
 * Triage of one customer mention: sentiment, language, category, priority, complaint,
 * needs-a-reply and spam, with the reasons a card shows. Rules and lexicons come from
 * config/triage/; a model trained on a brand's own labelled mentions (`carebot train`) can
 * sharpen the judgement on top of them.
 */
import { createEngine, type EngineOptions } from './engine.js';
import { createPredictor, type Triage, type TriageModel } from './model.js';

export type { TriageInput, TriageResult, TrainingRow, SentimentLabel, Priority } from './types.js';
export type { TriageOverrides } from './config.js';
export { loadModel, saveModel, trainModel, type Triage, type TriageModel } from './model.js';
export { watchModel } from './watch-model.js';
export { sentimentStrength } from './strength.js';

export interface TriageOptions extends Omit<EngineOptions, 'detector'> {
  /** A model from `loadModel` (or `trainModel`); without it the rules decide alone. */
  model?: TriageModel;
}

export function createTriage(opts: TriageOptions = {}): Triage {
  const engine = createEngine(opts);
  let predict = opts.model ? createPredictor(opts.model) : undefined;
  return {
    triage(input) {
      const reading = engine.read(input.text);
      const base = engine.decide(reading, input);
      return predict ? engine.decide(reading, input, predict(reading, base)) : base;
    },
    useModel(model) {
      predict = model ? createPredictor(model) : undefined;
    },
  };
}
