package hub

import (
	"os"
	"strings"
	"testing"
)

// The alias table in docs/models.md must list what aliases.go holds.
func TestAliasesDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/models.md")
	if err != nil {
		t.Skip("docs/models.md not found:", err)
	}
	doc := string(b)
	for _, a := range Aliases() {
		row := "| `" + a.Name + "` | `" + a.Repo + "` | "
		if a.GGUFRepo != "" {
			row += "`" + a.GGUFRepo + "` |"
		} else {
			row += "— |"
		}
		if !strings.Contains(doc, row) {
			t.Errorf("docs/models.md lacks the row %q", row)
		}
	}
}
