/** Request bodies of the shared test fixtures, for tests/ code outside specs (the CLI suites import them from here). */
export { trUzMemorandum } from '@tracker/testing';
