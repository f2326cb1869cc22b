package quant

import (
	"runtime"
	"sync"
)

// parallelMinValues is the matrix size below which splitting across
// goroutines costs more than it saves.
const parallelMinValues = 1 << 16

// forRows runs encode over nRows rows, spread over up to GOMAXPROCS
// goroutines in contiguous runs. Rows are independent in every ggml
// encoder, so the bytes do not depend on the split.
func forRows(nRows, nPerRow int, encode func(first, last int)) {
	workers := min(runtime.GOMAXPROCS(0), nRows)
	if workers <= 1 || nRows*nPerRow < parallelMinValues {
		encode(0, nRows)
		return
	}
	var wg sync.WaitGroup
	per := (nRows + workers - 1) / workers
	for first := 0; first < nRows; first += per {
		last := min(first+per, nRows)
		wg.Add(1)
		go func() {
			defer wg.Done()
			encode(first, last)
		}()
	}
	wg.Wait()
}
