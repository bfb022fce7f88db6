import { DiffTracker } from './referenceFixtures.js';
import { referenceSuite } from './referenceSuite.js';

referenceSuite('german-credit', ['logreg_pipeline', 'logreg_pipeline_nozipmap', 'gbt_onehot', 'mlp_torch'], new DiffTracker());
