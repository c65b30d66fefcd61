export { IsCalendarDate, AsOfQuery, EventsQuery, CursorQuery, Cursor } from './common';
