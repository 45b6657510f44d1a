import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, problemOf, type SignedInUser, type TestApp } from '../support/test-app.js';

const NOVEL = 'https://books.example.test/novel';
const ONE = `${NOVEL}/chapter-1`;
const TWO = 'urn:articulate:storyline:5Ujw93Dh98n';

/** The program's chapters over HTTP, with the xAPI activity that stands for each. */
describe('chapters and their activityId over HTTP', () => {
  let t: TestApp;
  let consultant: SignedInUser;
  let reader: SignedInUser;

  beforeEach(async () => {
    t = await buildTestApp();
    consultant = await t.signIn('consultant', 'coach@example.test', 'Coach');
    reader = await t.signIn('reader', 'ada@example.test', 'Ada');
  });
  afterEach(async () => t.close());

  const create = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/chapters', headers: consultant.headers, payload: body });
  const update = (id: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'PUT', url: `/api/chapters/${id}`, headers: consultant.headers, payload: body });
  const storedChapters = () => t.db.all('SELECT id, title, position, activity_id FROM chapters ORDER BY position');

  it('POST takes an activityId and answers it; a chapter without one carries null, in every response', async () => {
    const withIri = await create({ id: 'ch01', title: 'One', activityId: ONE });
    expect(withIri.statusCode).toBe(201);
    expect(withIri.json()).toEqual({ chapter: { id: 'ch01', title: 'One', position: 1, activityId: ONE } });
    const without = await create({ id: 'ch02', title: 'Two' });
    expect(without.json()).toEqual({ chapter: { id: 'ch02', title: 'Two', position: 2, activityId: null } });
    const explicitNull = await create({ id: 'ch03', title: 'Three', activityId: null });
    expect(explicitNull.json().chapter.activityId).toBeNull();

    expect(await storedChapters()).toEqual([
      { id: 'ch01', title: 'One', position: 1, activity_id: ONE },
      { id: 'ch02', title: 'Two', position: 2, activity_id: null },
      { id: 'ch03', title: 'Three', position: 3, activity_id: null },
    ]);
    // Readers read the program, activity ids included.
    const listed = await t.app.inject({ method: 'GET', url: '/api/chapters', headers: reader.headers });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().chapters).toEqual([
      { id: 'ch01', title: 'One', position: 1, activityId: ONE },
      { id: 'ch02', title: 'Two', position: 2, activityId: null },
      { id: 'ch03', title: 'Three', position: 3, activityId: null },
    ]);
    const reordered = await t.app.inject({ method: 'PUT', url: '/api/chapter-order', headers: consultant.headers, payload: { ids: ['ch03', 'ch02', 'ch01'] } });
    expect(reordered.json().chapters).toEqual([
      { id: 'ch03', title: 'Three', position: 1, activityId: null },
      { id: 'ch02', title: 'Two', position: 2, activityId: null },
      { id: 'ch01', title: 'One', position: 3, activityId: ONE },
    ]);
  });

  it('PUT sets, replaces and clears the activityId on its own or with a title; what the body leaves out stays', async () => {
    await create({ id: 'ch01', title: 'One' });
    const set = await update('ch01', { activityId: ONE });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ chapter: { id: 'ch01', title: 'One', position: 1, activityId: ONE } });
    expect((await update('ch01', { title: '  Uno  ' })).json().chapter).toEqual({ id: 'ch01', title: 'Uno', position: 1, activityId: ONE });
    expect((await update('ch01', { title: 'Eins', activityId: TWO })).json().chapter).toEqual({ id: 'ch01', title: 'Eins', position: 1, activityId: TWO });
    expect(await storedChapters()).toEqual([{ id: 'ch01', title: 'Eins', position: 1, activity_id: TWO }]);
    const cleared = await update('ch01', { activityId: null });
    expect(cleared.json().chapter).toEqual({ id: 'ch01', title: 'Eins', position: 1, activityId: null });
    expect(await storedChapters()).toEqual([{ id: 'ch01', title: 'Eins', position: 1, activity_id: null }]);
  });

  it('one IRI on two chapters is a 409 problem naming activityId, and nothing changes', async () => {
    await create({ id: 'ch01', title: 'One', activityId: ONE });
    await create({ id: 'ch02', title: 'Two', activityId: TWO });
    const before = await storedChapters();

    for (const response of [await create({ id: 'ch03', title: 'Three', activityId: ONE }), await update('ch02', { title: 'Renamed', activityId: ONE })]) {
      expect(response.statusCode).toBe(409);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(problemOf(response)).toMatchObject({ status: 409, code: 'conflict' });
      expect(problemOf(response).detail).toContain('activityId');
      expect(problemOf(response).detail).toContain('ch01');
    }
    expect(await storedChapters()).toEqual(before);
    // A chapter may be given the IRI it carries; once freed, the IRI may go to another chapter.
    expect((await update('ch01', { activityId: ONE })).statusCode).toBe(200);
    expect((await update('ch01', { activityId: null })).statusCode).toBe(200);
    expect((await update('ch02', { activityId: ONE })).json().chapter).toMatchObject({ id: 'ch02', activityId: ONE });
  });

  it('the OpenAPI document describes activityId on chapters and on both writes', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const post = document.paths['/api/chapters'].post;
    const put = document.paths['/api/chapters/{id}'].put;
    const bodyOf = (operation: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }) =>
      operation.requestBody.content['application/json']!.schema.properties;
    expect(Object.keys(bodyOf(post))).toEqual(['id', 'title', 'activityId']);
    expect(Object.keys(bodyOf(put))).toEqual(['title', 'activityId']);
    expect(JSON.stringify(bodyOf(put).activityId)).toContain('"maxLength":2048');
    expect(put.responses['409']).toBeDefined();
    const chapter = post.responses['201'].content['application/json'].schema.properties.chapter;
    expect(chapter.required).toContain('activityId');
  });
});
