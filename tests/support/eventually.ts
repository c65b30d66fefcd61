export { eventually } from '@tracker/testing';
