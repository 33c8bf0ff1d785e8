package greenhouse

import (
	"bytes"
	"fmt"
	"strconv"
)

// ID is a Greenhouse record ID. Greenhouse sends integers; a numeric
// string is accepted too, and null is zero.
type ID int64

// UnmarshalJSON implements json.Unmarshaler.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*id = 0
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
		if len(b) == 0 {
			*id = 0
			return nil
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("greenhouse: ID %.40q is not an integer", b)
	}
	*id = ID(n)
	return nil
}

// String renders the ID; zero is "".
func (id ID) String() string { return idString(int64(id)) }
