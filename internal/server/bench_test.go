package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
)

// BenchmarkHandler measures one request through the whole handler (middleware
// included) over the embedded catalog, per kind of page.
func BenchmarkHandler(b *testing.B) {
	c, err := catalog.Open()
	if err != nil {
		b.Skipf("embedded catalog does not load: %v", err)
	}
	h := newServer(b, c, nil).Handler()
	for _, target := range []string{
		"/", "/matrix", "/matrix?service=s3&service=iam", "/techniques?q=logging", "/techniques/T1562.008",
		"/api/v1/techniques", "/api/v1/techniques/T1562.008", "/api/v1/matrix", "/static/style.css",
	} {
		b.Run(target, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
