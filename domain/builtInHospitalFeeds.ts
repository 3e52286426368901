/**
 * The example hospital feeds that go with the built-in programmes, for `npm start` and the tests:
 * an integration engine for the example trusts, a second engine for two of them, and a discharge
 * team signing in at one. A deployment names its own in the programme file's `hospitalFeeds`
 * (docs/configuration.md); without it, no one may send hospital events.
 */
import type { HospitalFeeds } from './hospitalFeeds.js';

export const builtInHospitalFeeds: HospitalFeeds = {
  senders: [
    // Royal Devon, Torbay and South Devon, Leeds Teaching Hospitals, Harrogate, a district general.
    { client: 'tie-1', facilities: ['RBZ', 'RA9', 'RR8', 'RH8', 'DGH'] },
    { client: 'tie-2', facilities: ['RBZ', 'RA9'] },
    { client: 'discharge-rde', facilities: ['RBZ'] },
  ],
  codeTables: {},
};
