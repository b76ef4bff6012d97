import { describe, expect, it } from 'vitest';
import { QRADAR_CATEGORY_QIDS, QRADAR_FIELDS } from '../../src/backends/pipelines/qradar.js';
import { qradarEvent } from '../../src/sources/qradar-columns.js';

/**
 * The qradar pipeline must agree with the QRadar readers, or a rule would mean one thing as AQL
 * and another in the native engine on the same export.
 */
describe('qradar pipeline vs. the QRadar readers', () => {
  it('every mapped property is the column the reader exposes under that Sigma name', () => {
    for (const [sigma, property] of Object.entries(QRADAR_FIELDS)) {
      const event = qradarEvent({ [property]: 'v' }, 0, { file: 't', format: 'qradar-json' });
      expect(event.fields[sigma], `${sigma} ← ${property}`).toBe('v');
    }
  });

  it('every category condition is the QID-name test the reader uses to set the category', () => {
    for (const [category, qids] of Object.entries(QRADAR_CATEGORY_QIDS))
      for (const qid of qids) {
        expect(qradarEvent({ qidname: `Sysmon ${qid} x` }, 0, { file: 't', format: 'qradar-json' }).category).toBe(category);
        expect(qradarEvent({ qidname: `sysmon ${qid.toLowerCase()}` }, 0, { file: 't', format: 'qradar-json' }).category).not.toBe(category);
      }
  });
});
