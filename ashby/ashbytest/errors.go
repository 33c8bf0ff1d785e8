package ashbytest

import "fmt"

func errorf(format string, args ...any) error {
	return fmt.Errorf("ashbytest: "+format, args...)
}
