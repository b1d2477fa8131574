package spell

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"StopLogging", "StopLoging", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := Distance([]rune(tt.a), []rune(tt.b)); got != tt.want {
				t.Errorf("Distance = %d, want %d", got, tt.want)
			}
		})
	}
}
