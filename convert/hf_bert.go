package convert

func isBERT(raw []byte) bool { return false }

func openBERT(dir, name string, raw []byte) (*source, error) { return nil, nil }
