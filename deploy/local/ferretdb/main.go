// Command ferretdb runs FerretDB v1 (a MongoDB-compatible server) with its pure-Go SQLite backend, embedded
// through FerretDB's own `ferretdb` package. We build it ourselves because `go install .../cmd/ferretdb`
// produces a binary that panics at start on a missing version.txt (FerretDB issue 2982).
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "", "directory of the SQLite databases (created if missing)")
	flag.Parse()
	if *dataDir == "" {
		log.Fatal("-data is required")
	}

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatal(err)
	}
	// The SQLite backend needs the directory to exist, and its URL must end with a slash.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	log.Printf("FerretDB listening on %s, data in %s", *listen, dir)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
	log.Print("FerretDB stopped")
}
