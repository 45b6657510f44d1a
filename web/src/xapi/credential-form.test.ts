import { describe, expect, it } from 'vitest';
import { credentialNameProblem } from './credential-form.js';

describe('an LRS credential\'s name', () => {
  it('is required and at most 100 characters, counted without the spaces around it', () => {
    expect(credentialNameProblem('H5P on the course site')).toBeNull();
    expect(credentialNameProblem(`  ${'n'.repeat(100)}  `)).toBeNull();
    expect(credentialNameProblem('   ')).toMatch(/Enter a name/);
    expect(credentialNameProblem('n'.repeat(101))).toMatch(/at most 100/);
  });
});
