package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// binomialPMF is the Binomial(n, p) probability of k, from log-gamma.
func binomialPMF(n, k int64, p float64) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return math.Exp(a - b - c + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p))
}

// The binomial sampler against the exact distribution by a chi-square
// fit, on both of its methods (inversion below a mean of 10, BTRS above),
// p above and below 1/2, and n from 5 to three billion.
func TestBinomialFits(t *testing.T) {
	const draws = 50_000
	for i, c := range []struct {
		n int64
		p float64
	}{
		{5, 0.3}, {40, 0.1}, {1000, 0.004}, {100, 0.5}, {1000, 0.03}, {200, 0.9},
		{10_000, 0.37}, {3_000_000_000, 1e-8}, {3_000_000_000, 0.25}, {1_000_000_000, 0.999999},
	} {
		r := rand.NewPCG(uint64(i), 7)
		mean := float64(c.n) * c.p
		sd := math.Sqrt(mean * (1 - c.p))
		lo := max(0, int64(mean-8*sd-2))
		hi := min(c.n, int64(mean+8*sd+2))
		counts := make([]int, hi-lo+1)
		pmf := make([]float64, hi-lo+1)
		for k := lo; k <= hi; k++ {
			pmf[k-lo] = binomialPMF(c.n, k, c.p)
		}
		for range draws {
			k := binomial(r, c.n, c.p)
			if k < 0 || k > c.n {
				t.Fatalf("Binomial(%d, %v) gave %d", c.n, c.p, k)
			}
			if k < lo || k > hi { // beyond 8 sd: as good as impossible
				t.Fatalf("Binomial(%d, %v) gave %d, more than 8 sd from the mean %v", c.n, c.p, k, mean)
			}
			counts[k-lo]++
		}
		stat, df, p := chiSquareFit(counts, pmf)
		t.Logf("Binomial(%d, %v): chi2 %.1f, df %d, p %.3f", c.n, c.p, stat, df, p)
		if p < alpha {
			t.Errorf("Binomial(%d, %v): chi-square %.1f on %d df, p = %.2g < %g", c.n, c.p, stat, df, p, alpha)
		}
	}
}

// occupancyPMF is the exact distribution of the number of distinct bins m
// balls hit among e, by dynamic programming over the balls.
func occupancyPMF(m, e int) []float64 {
	p := make([]float64, e+1)
	p[0] = 1
	for range m {
		for k := min(m, e); k >= 0; k-- {
			stay := p[k] * float64(k) / float64(e)
			var from float64
			if k > 0 {
				from = p[k-1] * float64(e-k+1) / float64(e)
			}
			p[k] = stay + from
		}
	}
	return p
}

// The occupancy sampler against the exact distribution: few balls in many
// bins (collisions rare), as many balls as bins, and many more balls than
// bins (most bins hit, batches of balls mostly land on hit bins).
func TestOccupancyFits(t *testing.T) {
	const draws = 20_000
	for i, c := range []struct{ m, e int }{
		{1, 1}, {3, 2}, {30, 10}, {50, 40}, {200, 1000}, {1000, 1000}, {3000, 2000}, {2000, 20000}, {60, 5},
	} {
		r := rand.NewPCG(uint64(i), 13)
		pmf := occupancyPMF(c.m, c.e)
		counts := make([]int, len(pmf))
		for range draws {
			k := occupancy(r, int64(c.m), int64(c.e))
			if k < 1 || k > int64(min(c.m, c.e)) {
				t.Fatalf("occupancy(%d, %d) gave %d", c.m, c.e, k)
			}
			counts[k]++
		}
		stat, df, p := chiSquareFit(counts, pmf)
		t.Logf("occupancy(%d balls, %d bins): chi2 %.1f, df %d, p %.3f", c.m, c.e, stat, df, p)
		if df > 0 && p < alpha {
			t.Errorf("occupancy(%d, %d): chi-square %.1f on %d df, p = %.2g < %g", c.m, c.e, stat, df, p, alpha)
		}
	}
}

// A wrong sampler must fail the same test: the occupancy of one ball fewer
// is told apart at these sizes. (A test that cannot fail proves nothing.)
func TestOccupancyFitRejectsWrong(t *testing.T) {
	r := rand.NewPCG(3, 3)
	pmf := occupancyPMF(1000, 1000)
	counts := make([]int, len(pmf))
	for range 50_000 {
		counts[occupancy(r, 990, 1000)]++
	}
	if _, _, p := chiSquareFit(counts, pmf); p >= alpha {
		t.Fatalf("990 balls passed for 1000: p = %v", p)
	}
}

// Large counts, too large for the exact distribution: the mean number of
// distinct hits must be e(1-(1-1/e)^m), within 6 standard deviations of
// the mean of the draws (an occupancy's variance is below min(m, e)).
func TestOccupancyLargeMean(t *testing.T) {
	r := rand.NewPCG(5, 5)
	for _, c := range []struct{ m, e int64 }{{600_000_000, 700_000_000}, {3_000_000, 1_000_000}, {10_000, 1_000_000_000}} {
		var sum float64
		const n = 40
		for range n {
			sum += float64(occupancy(r, c.m, c.e))
		}
		want := float64(c.e) * -math.Expm1(float64(c.m)*math.Log1p(-1/float64(c.e)))
		if tol := 6 * math.Sqrt(float64(min(c.m, c.e))) / math.Sqrt(n); math.Abs(sum/n-want) > tol {
			t.Errorf("occupancy(%d, %d): mean %.1f, want %.1f (tolerance %.1f)", c.m, c.e, sum/n, want, tol)
		}
	}
}
