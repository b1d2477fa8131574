package report

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/scan"
)

func TestFoldedAgents(t *testing.T) {
	const cli = "aws-cli/2.17.20 ua/2.0 os/linux#6.8.0 lang/python#3.11.9 md/prompt#off "
	long := "aws-cli/2.17.20 " + strings.Repeat("x", MaxListedBytes) + " md/command#s3.ls"
	tests := []struct {
		name   string
		agents []string
		want   []string
	}{
		{"one command per agent folds into one line", []string{
			cli + "md/command#sts.get-caller-identity",
			"Boto3/1.34.131",
			cli + "md/command#iam.list-users",
			cli + "md/command#s3api.copy-object",
		}, []string{
			cli + "md/command#{sts.get-caller-identity, iam.list-users, s3api.copy-object}",
			"Boto3/1.34.131",
		}},
		{"a lone command stays as written", []string{cli + "md/command#iam.list-users"}, []string{cli + "md/command#iam.list-users"}},
		{"S3's brackets fold apart from the plain form", []string{
			"[" + cli + "md/command#s3api.copy-object]", "[" + cli + "md/command#s3api.put-object]", cli + "md/command#s3api.put-object",
		}, []string{
			"[" + cli + "md/command#{s3api.copy-object, s3api.put-object}]", cli + "md/command#s3api.put-object",
		}},
		{"other versions are other lines", []string{
			cli + "md/command#iam.list-users", strings.Replace(cli, "2.17.20", "2.17.21", 1) + "md/command#iam.list-roles",
		}, []string{
			cli + "md/command#iam.list-users", strings.Replace(cli, "2.17.20", "2.17.21", 1) + "md/command#iam.list-roles",
		}},
		// A command of another form (a forged one) keeps its line, escaped
		// as every agent is: it cannot pose as a list of commands.
		{"forged commands do not fold", []string{
			cli + "md/command#{a,\u00a0b}", cli + "md/command#{c}", cli + "xmd/command#iam.x", cli + "xmd/command#iam.y",
		}, []string{
			cli + `md/command#{a,\u00a0b}`, cli + "md/command#{c}", cli + "xmd/command#iam.x", cli + "xmd/command#iam.y",
		}},
		// Cut, two agents read the same, and are listed once, with the mark.
		{"a cut agent keeps its mark", []string{long, strings.Replace(long, "s3.ls", "s3.cp", 1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &timelineBuilder{}
			for _, ua := range tt.agents {
				f := scan.Finding{EventTime: "2026-03-14T02:02:31Z",
					Actor: scan.Actor{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/u", UserAgent: ua}}
				tb.add(&f)
			}
			got := foldedAgents(&tb.out[0])
			if tt.want == nil {
				if len(got) != 1 || !strings.HasSuffix(got[0], "(545 bytes in all)") {
					t.Fatalf("got %q", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
