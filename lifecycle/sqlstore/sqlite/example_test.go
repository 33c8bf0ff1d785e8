package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
)

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "atskit")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(ctx, filepath.Join(dir, "atskit.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	_ = lifecycle.NewEngine(store, lifecycle.Options{})
	fmt.Println("store ready")

	// A file in a directory that does not exist is refused with the path.
	_, err = sqlite.Open(ctx, filepath.Join(dir, "missing", "atskit.db"))
	fmt.Println(err != nil)
	// Output:
	// store ready
	// true
}
