package engine

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Exact samplers for the count-level chain (chain.go): binomial and
// occupancy draws whose cost does not grow with the counts, so a round of
// a billion nodes costs microseconds. "Exact" as for any inversion or
// rejection sampler: exact but for the rounding of float64 arithmetic.

// uniform01 is a uniform draw in (0, 1): never 0, so its log is finite.
func uniform01(r *rand.PCG) float64 { return (float64(r.Uint64()>>11) + 0.5) * 0x1p-53 }

// binomial draws Binomial(n, p) exactly: inversion by geometric waiting
// times when n*min(p, 1-p) < 10 (cost about the mean), else Hörmann's
// BTRS, transformed rejection with squeeze (W. Hörmann, "The generation of
// binomial random variates", J. Statist. Comput. Simul. 46, 1993), whose
// acceptance test uses log-factorials through Stirling's series with an
// exact table below 10, so it stays exact for n in the billions where a
// difference of math.Lgamma values would lose digits.
func binomial(r *rand.PCG, n int64, p float64) int64 {
	if n <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	if p > 0.5 {
		return n - binomial(r, n, 1-p)
	}
	if float64(n)*p < 10 {
		return binomialInversion(r, n, p)
	}
	return btrs(r, n, p)
}

// binomialInversion counts the successes of n Bernoulli(p) trials as the
// geometric gaps between them that fit in n.
func binomialInversion(r *rand.PCG, n int64, p float64) int64 {
	lq := math.Log1p(-p)
	var k, sum int64
	for {
		g := math.Ceil(math.Log(uniform01(r)) / lq) // trials to the next success, >= 1
		if g > float64(n-sum) {
			return k
		}
		sum += int64(g)
		k++
	}
}

// btrs is Hörmann's BTRS for n*p >= 10, p <= 1/2.
func btrs(r *rand.PCG, n int64, p float64) int64 {
	nf := float64(n)
	q := 1 - p
	spq := math.Sqrt(nf * p * q)
	b := 1.15 + 2.53*spq
	a := -0.0873 + 0.0248*b + 0.01*p
	c := nf*p + 0.5
	vr := 0.92 - 4.2/b
	rr := p / q
	alpha := (2.83 + 5.1/b) * spq
	m := math.Floor((nf + 1) * p)
	for {
		u := uniform01(r) - 0.5
		v := uniform01(r)
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + c)
		if k < 0 || k > nf {
			continue
		}
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		v = math.Log(v * alpha / (a/(us*us) + b))
		// log(f(k)/f(m)) for the binomial pmf f, by Stirling's series.
		bound := (m+0.5)*math.Log((m+1)/(rr*(nf-m+1))) +
			(nf+1)*math.Log((nf-m+1)/(nf-k+1)) +
			(k+0.5)*math.Log(rr*(nf-k+1)/(k+1)) +
			stirlingTail(m) + stirlingTail(nf-m) - stirlingTail(k) - stirlingTail(nf-k)
		if v <= bound {
			return int64(k)
		}
	}
}

// stirlingTail is log(k!) - [(k+1/2) log(k+1) - (k+1) + log(2 pi)/2]:
// exact values below 10, Stirling's series above (error < 1e-17 there).
func stirlingTail(k float64) float64 {
	if k <= 9 {
		return stirlingTails[int(k)]
	}
	k1 := (k + 1) * (k + 1)
	return (1.0/12 - (1.0/360-1.0/1260/k1)/k1) / (k + 1)
}

var stirlingTails = [10]float64{
	0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
	0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
	0.00925546218271273, 0.00833056343336287,
}

// occupancy draws how many distinct bins m balls hit when each falls in
// one of e bins uniformly: the push hits of a round, m pushes reaching the
// e uninformed nodes. Thrown one by one this costs m; here the balls go in
// batches of about 2*sqrt(bins still empty): a binomial draw says how many
// of a batch fall in bins that were empty when it began (the rest change
// nothing), and those few collide among themselves rarely (2 times per
// batch on average at most), so the collisions are found by skipping to
// each one (nextCollision). A round costs O(sqrt(e)) for any m and e.
func occupancy(r *rand.PCG, m, e int64) int64 {
	var hit int64
	for m > 0 && hit < e {
		empty := e - hit
		b := min(m, max(1, int64(2*math.Sqrt(float64(empty)))))
		m -= b
		in := b
		if hit > 0 {
			in = binomial(r, b, float64(empty)/float64(e))
		}
		hit += distinctHits(r, in, empty)
	}
	return hit
}

// distinctHits draws how many distinct bins m balls hit among e empty
// bins: m minus the collisions, found by inversion one after the other.
func distinctHits(r *rand.PCG, m, e int64) int64 {
	var d int64 // distinct so far
	for m > 0 {
		j := nextCollision(r, d, m, e)
		if j < 0 { // no more collisions
			return d + m
		}
		d += j     // j new bins,
		m -= j + 1 // then one ball on a bin already hit
	}
	return d
}

// nextCollision: with d of e bins hit and m balls to go, the index of the
// next ball to land on a hit bin, or -1 if none of the m does. The first j
// balls all land on new bins with probability G(d+j)/G(d), where
// G(x) = prod_{i<x} (1 - i/e); inversion finds the smallest j with
// log G(d+j+1) < log G(d) + log u. Since log(1 - i/e) is about -i/e, the
// quadratic sum_{i=d}^{d+j-1} i/e = -log u gives j to within a step or
// two, and exact comparisons walk from there.
func nextCollision(r *rand.PCG, d, m, e int64) int64 {
	lu := math.Log(uniform01(r))
	target := logNoCollision(d, e) + lu
	if logNoCollision(d+m, e) >= target {
		return -1
	}
	b := float64(2*d - 1)
	j := int64((-b + math.Sqrt(b*b-8*float64(e)*lu)) / 2)
	j = min(max(j, 0), m-1)
	if logNoCollision(d+j+1, e) < target {
		for j > 0 && logNoCollision(d+j, e) < target {
			j--
		}
		return j
	}
	for logNoCollision(d+j+1, e) >= target { // ends by j = m-1 (checked above)
		j++
	}
	return j
}

// logNoCollision is log G(x) = log(e!/((e-x)! e^x)), the probability that
// x balls in e bins all land apart, from Stirling's series with the large
// terms cancelled analytically (a difference of Lgamma values would lose
// about 1e-5 at e = 1e9).
func logNoCollision(x, e int64) float64 {
	if x > e {
		return math.Inf(-1)
	}
	if x <= 1 {
		return 0
	}
	ef, xf := float64(e), float64(x)
	a := ef - xf
	return (a+0.5)*math.Log1p(xf/(a+1)) + xf*math.Log1p(1/ef) - xf +
		stirlingTail(ef) - stirlingTail(a)
}

// wyrand is Wang Yi's wyrand generator (from wyhash): one 64x64->128-bit
// multiply per draw, passes BigCrush and PractRand. The bitset kernel
// seeds one per block of nodes per round, so its draws do not depend on
// how many cores share the blocks.
type wyrand uint64

func (s *wyrand) next() uint64 {
	*s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(uint64(*s), uint64(*s)^0xe7037ed1a0b428db)
	return hi ^ lo
}
