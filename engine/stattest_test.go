package engine

import (
	"math"
	"slices"
	"sort"
	"testing"
)

// Test statistics for the statistical tests: chi-square tests of a sample
// against a distribution and of two samples against each other, with the
// p-value from the regularized incomplete gamma function (Numerical
// Recipes, 2nd ed., section 6.2: series below a+1, Lentz's continued
// fraction above).

// alpha is the significance of every statistical test here: each rejects
// a correct sampler once in a thousand seeds. The seeds are fixed, so a
// test passes or fails the same way every run.
const alpha = 1e-3

// chiSquareSurvival is P(X > x) for X chi-square with df degrees of freedom.
func chiSquareSurvival(x float64, df int) float64 {
	if x <= 0 {
		return 1
	}
	return gammaQ(float64(df)/2, x/2)
}

// gammaQ is the regularized upper incomplete gamma function Q(a, x).
func gammaQ(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 1000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-15 {
				break
			}
		}
		return 1 - sum*math.Exp(-x+a*math.Log(x)-lg)
	}
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 1000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lg) * h
}

// chiSquareFit tests counts[k] (observations of value k) against the
// probabilities pmf[k]; cells with an expected count below 5 are pooled
// with their neighbours. It returns the statistic, its degrees of freedom
// and p-value.
func chiSquareFit(counts []int, pmf []float64) (stat float64, df int, p float64) {
	total := 0
	for _, c := range counts {
		total += c
	}
	var obs, exp float64
	cells := 0
	flush := func() {
		stat += (obs - exp) * (obs - exp) / exp
		cells++
		obs, exp = 0, 0
	}
	after := make([]float64, len(pmf)+1) // expected count beyond each value
	for k := len(pmf) - 1; k >= 0; k-- {
		after[k] = after[k+1] + pmf[k]*float64(total)
	}
	for k := range pmf {
		obs += float64(counts[k])
		exp += pmf[k] * float64(total)
		if exp >= 5 && after[k+1] >= 5 { // else what is left would make a cell below 5
			flush()
		}
	}
	if exp > 0 {
		flush()
	}
	df = cells - 1
	return stat, df, chiSquareSurvival(stat, df)
}

// chiSquareTwoSample tests whether two samples of integers (-1 counts as
// its own value, "never") come from one distribution: the 2 x c table of
// their counts by value, values pooled in order until each cell expects at
// least 5 in both samples.
func chiSquareTwoSample(a, b []int) (stat float64, df int, p float64) {
	ca, cb := map[int]float64{}, map[int]float64{}
	var values []int
	for _, x := range a {
		if _, ok := ca[x]; !ok {
			if _, ok := cb[x]; !ok {
				values = append(values, x)
			}
		}
		ca[x]++
	}
	for _, x := range b {
		if _, ok := ca[x]; !ok {
			if _, ok := cb[x]; !ok {
				values = append(values, x)
			}
		}
		cb[x]++
	}
	sort.Ints(values)
	na, nb := float64(len(a)), float64(len(b))
	fa, fb := na/(na+nb), nb/(na+nb)
	type cell struct{ a, b float64 }
	var cells []cell
	var cur cell
	for i, v := range values {
		cur.a += ca[v]
		cur.b += cb[v]
		if t := cur.a + cur.b; t*fa >= 5 && t*fb >= 5 {
			// Pool the tail into this cell if the tail alone is too small.
			var rest float64
			for _, w := range values[i+1:] {
				rest += ca[w] + cb[w]
			}
			if rest*fa >= 5 && rest*fb >= 5 {
				cells = append(cells, cur)
				cur = cell{}
			}
		}
	}
	if cur.a+cur.b > 0 {
		if len(cells) > 0 && (cur.a+cur.b)*min(fa, fb) < 5 {
			cells[len(cells)-1].a += cur.a
			cells[len(cells)-1].b += cur.b
		} else {
			cells = append(cells, cur)
		}
	}
	for _, c := range cells {
		t := c.a + c.b
		ea, eb := t*fa, t*fb
		stat += (c.a-ea)*(c.a-ea)/ea + (c.b-eb)*(c.b-eb)/eb
	}
	df = len(cells) - 1
	if df < 1 {
		return 0, 0, 1 // one cell: nothing to tell apart
	}
	return stat, df, chiSquareSurvival(stat, df)
}

// The p-values must be right, or every test built on them is wrong:
// known chi-square quantiles.
func TestChiSquareSurvival(t *testing.T) {
	for _, c := range []struct {
		x    float64
		df   int
		want float64
	}{
		{3.841459, 1, 0.05}, {6.634897, 1, 0.01}, {18.30704, 10, 0.05},
		{29.58830, 10, 0.001}, {124.3421, 100, 0.05}, {0.1015308, 1, 0.75},
	} {
		if got := chiSquareSurvival(c.x, c.df); math.Abs(got-c.want) > 1e-5*max(1, c.want*10) {
			t.Errorf("P(chi2(%d) > %v) = %v, want %v", c.df, c.x, got, c.want)
		}
	}
	// Kolmogorov: the 5% and 0.1% critical values are 1.358 and 1.949.
	for _, c := range []struct{ lambda, want float64 }{{1.3581, 0.05}, {1.9495, 0.001}} {
		if got := kolmogorovQ(c.lambda); math.Abs(got-c.want) > 1e-4*max(1, c.want*100) {
			t.Errorf("Q_KS(%v) = %v, want %v", c.lambda, got, c.want)
		}
	}
}

// ksTwoSample is the two-sample Kolmogorov-Smirnov test: the largest
// distance D between the samples' empirical distribution functions, and
// its p-value from the asymptotic Kolmogorov distribution with Stephens'
// small-sample correction (Numerical Recipes, 2nd ed., section 14.3).
func ksTwoSample(a, b []int) (d, p float64) {
	x := slices.Sorted(slices.Values(a))
	y := slices.Sorted(slices.Values(b))
	na, nb := float64(len(x)), float64(len(y))
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		v := min(x[i], y[j])
		for i < len(x) && x[i] == v {
			i++
		}
		for j < len(y) && y[j] == v {
			j++
		}
		d = max(d, math.Abs(float64(i)/na-float64(j)/nb))
	}
	ne := math.Sqrt(na * nb / (na + nb))
	return d, kolmogorovQ((ne + 0.12 + 0.11/ne) * d)
}

// kolmogorovQ is P(K > lambda) for the Kolmogorov distribution.
func kolmogorovQ(lambda float64) float64 {
	if lambda < 0.2 {
		return 1
	}
	sum, sign := 0.0, 1.0
	for k := 1; k <= 100; k++ {
		term := sign * 2 * math.Exp(-2*float64(k*k)*lambda*lambda)
		sum += term
		if math.Abs(term) < 1e-12 {
			break
		}
		sign = -sign
	}
	return min(1, max(0, sum))
}
