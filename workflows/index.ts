export { careJourney } from './careJourney.js';
