export * from './app-error.js';
export * from './chapter.js';
export * from './clock.js';
export * from './page.js';
export * from './progress.js';
export * from './session.js';
export * from './store.js';
export * from './user.js';
