export { IsCalendarDate, AsOfQuery, EventsQuery, CursorQuery, CursorQueryOf, Cursor } from './common';
