package lifecycletest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/lifecycletest"
)

func TestVendorCreateIsIdempotent(t *testing.T) {
	ctx := t.Context()
	v := lifecycletest.NewVendor()
	var refs []string
	for _, key := range []string{"k1", "k2", "k1"} {
		ref, err := v.CreateInterview(ctx, lifecycle.VendorRequest{IdempotencyKey: key, InterviewID: "iv-" + key})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	if diff := cmp.Diff([]string{"V-1", "V-2", "V-1"}, refs); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
	want := []lifecycletest.Created{
		{Ref: "V-1", Request: lifecycle.VendorRequest{IdempotencyKey: "k1", InterviewID: "iv-k1"}},
		{Ref: "V-2", Request: lifecycle.VendorRequest{IdempotencyKey: "k2", InterviewID: "iv-k2"}},
	}
	if diff := cmp.Diff(want, v.Created()); diff != "" {
		t.Errorf("Created (-want +got):\n%s", diff)
	}
}

func TestVendorFailures(t *testing.T) {
	boom := errors.New("platform down")
	tests := []struct {
		name       string
		failures   lifecycletest.Failures
		wantCreate []bool // per call: failed?
		wantCancel []bool
	}{
		{"none", lifecycletest.Failures{}, []bool{false, false, false}, []bool{false, false}},
		{"create always", lifecycletest.Failures{Create: boom}, []bool{true, true, true}, []bool{false, false}},
		{"create twice", lifecycletest.Failures{Create: boom, CreateTimes: 2}, []bool{true, true, false}, []bool{false, false}},
		{"cancel once", lifecycletest.Failures{Cancel: boom, CancelTimes: 1}, []bool{false, false, false}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := lifecycletest.NewVendor()
			v.SetFailures(tt.failures)
			var gotCreate, gotCancel []bool
			for i := range tt.wantCreate {
				_, err := v.CreateInterview(t.Context(), lifecycle.VendorRequest{IdempotencyKey: string(rune('a' + i))})
				if err != nil && !errors.Is(err, boom) {
					t.Fatalf("create: %v", err)
				}
				gotCreate = append(gotCreate, err != nil)
			}
			for range tt.wantCancel {
				err := v.CancelInterview(t.Context(), "V-1")
				gotCancel = append(gotCancel, err != nil)
			}
			if diff := cmp.Diff(tt.wantCreate, gotCreate); diff != "" {
				t.Errorf("create failures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCancel, gotCancel); diff != "" {
				t.Errorf("cancel failures (-want +got):\n%s", diff)
			}
			if n := len(v.Created()); n != count(tt.wantCreate, false) {
				t.Errorf("%d created recorded, want %d (failed calls record nothing)", n, count(tt.wantCreate, false))
			}
		})
	}
}

func count(bs []bool, v bool) int {
	n := 0
	for _, b := range bs {
		if b == v {
			n++
		}
	}
	return n
}

func TestVendorWaits(t *testing.T) {
	v := lifecycletest.NewVendor()
	started := make(chan struct{})
	go func() {
		<-started
		for _, key := range []string{"a", "b"} {
			v.CreateInterview(context.Background(), lifecycle.VendorRequest{IdempotencyKey: key})
		}
		v.CancelInterview(context.Background(), "V-2")
	}()
	close(started)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	created, err := v.WaitCreated(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 2 {
		t.Errorf("WaitCreated(2) returned %d", len(created))
	}
	cancelled, err := v.WaitCancelled(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"V-2"}, cancelled); diff != "" {
		t.Errorf("cancelled (-want +got):\n%s", diff)
	}

	done, stop := context.WithCancel(t.Context())
	stop()
	_, err = v.WaitCreated(done, 3)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "2 interviews created, want 3") {
		t.Errorf("WaitCreated past the deadline: %v, want the count seen and context.Canceled", err)
	}
}
