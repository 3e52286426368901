export { careJourney } from './careJourney.js';
export { caseloadMove } from './caseloadMove.js';
