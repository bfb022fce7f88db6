import { DiffTracker } from './referenceFixtures.js';
import { referenceSuite } from './referenceSuite.js';

referenceSuite('adult', ['logreg_pipeline', 'logreg_pipeline_nozipmap', 'logreg_onehot', 'gbt_onehot', 'mlp_torch'], new DiffTracker());
