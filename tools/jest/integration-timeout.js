// Integration tests talk to a real broker and database: a consumer-group rebalance alone can take seconds.
jest.setTimeout(60000);
