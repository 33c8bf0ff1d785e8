package lifecycle

// NoteKind names a note the engine posts on a candidate's timeline.
type NoteKind string
