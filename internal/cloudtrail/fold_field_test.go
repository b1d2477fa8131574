package cloudtrail

import "testing"

// TestMiscasedField checks the spelling a Sigma field name is corrected
// to: the parts CloudTrail's records fix, and nothing for the rest.
func TestMiscasedField(t *testing.T) {
	for field, want := range map[string]string{
		"eventName":        "",
		"EventName":        "eventName",
		"userIdentity.Arn": "userIdentity.arn",
		"UserIdentity.arn": "userIdentity.arn",
		"userIdentity.sessionContext.sessionIssuer.Type":          "userIdentity.sessionContext.sessionIssuer.type",
		"userIdentity.sessionContext.attributes.MfaAuthenticated": "userIdentity.sessionContext.attributes.mfaAuthenticated",
		"userIdentity.arn":              "",
		"requestParameters.EventName":   "",
		"RequestParameters.bucketName":  "requestParameters.bucketName",
		"responseElements.KeyId":        "",
		"userIdentity.somethingNew.Arn": "",
		"additionalEventData.Type":      "",
		"nosuch":                        "",
	} {
		if got := MiscasedField(field); got != want {
			t.Errorf("MiscasedField(%q) = %q, want %q", field, got, want)
		}
	}
}
