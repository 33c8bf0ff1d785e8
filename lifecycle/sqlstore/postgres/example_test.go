package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore/postgres"
)

func ExampleOpen() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("DATABASE_URL")) // postgres://user:password@host/db
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	store.DB().SetMaxOpenConns(32) // the pool is the host's to size

	engine := lifecycle.NewEngine(store, lifecycle.Options{})
	go engine.Dispatcher(lifecycle.DispatcherOptions{}).Run(ctx)
}
