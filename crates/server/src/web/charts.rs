//! The geometry of the report charts, apart from the pages that draw them: numbers in,
//! coordinates out. The pages draw server-side SVG (no script), so every coordinate is
//! computed here, where it can be tested without a page.

/// A straight mapping of data values onto a stretch of the drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    from: f64,
    length: f64,
    flipped: bool,
}

/// Below this span every value would sit on one point; a span this small still draws.
const SMALLEST_SPAN: f64 = 0.01;

impl Scale {
    /// The values' range widened to include zero, onto `length` from `from`: a lift or an
    /// interval is read against zero, so zero is always on the axis.
    pub fn around_zero(values: impl IntoIterator<Item = f64>, from: f64, length: f64) -> Scale {
        let (lo, hi) = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        Scale {
            lo,
            hi,
            from,
            length,
            flipped: false,
        }
    }

    /// Counts from zero to `most` (at least one, so an empty month draws nothing, not NaN).
    pub fn of_counts(most: u32, from: f64, length: f64) -> Scale {
        Scale {
            lo: 0.0,
            hi: f64::from(most.max(1)),
            from,
            length,
            flipped: false,
        }
    }

    /// High values first: for a vertical axis, whose coordinates grow downwards.
    pub fn flipped(self) -> Scale {
        Scale {
            flipped: true,
            ..self
        }
    }

    fn span(&self) -> f64 {
        (self.hi - self.lo).max(SMALLEST_SPAN)
    }

    /// Where `v` is drawn.
    pub fn at(&self, v: f64) -> f64 {
        let share = if self.flipped {
            (self.hi - v) / self.span()
        } else {
            (v - self.lo) / self.span()
        };
        self.from + share * self.length
    }

    /// How long `v` is drawn, from zero (for bars).
    pub fn size(&self, v: f64) -> f64 {
        v / self.span() * self.length
    }
}

/// One bar of a stacked bar: where it starts and how wide it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub x: f64,
    pub width: f64,
}

/// `counts` laid end to end from the scale's start; returns the segments and where the
/// last one ends (where a label goes).
pub fn stacked(counts: &[u32], scale: &Scale) -> (Vec<Segment>, f64) {
    let mut x = scale.at(0.0);
    let segments = counts
        .iter()
        .map(|n| {
            let width = scale.size(f64::from(*n));
            let segment = Segment { x, width };
            x += width;
            segment
        })
        .collect();
    (segments, x)
}

/// A column's height in whole pixels: `count` of `most` on `height` (nothing when there
/// is nothing, never a division by zero).
pub fn column_height(count: u32, most: u32, height: u32) -> u32 {
    height * count / most.max(1)
}

/// One decimal is finer than a pixel; SVG needs no more.
pub fn coordinate(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_always_on_the_axis() {
        let all_above = Scale::around_zero([0.05, 0.2], 100.0, 400.0);
        assert_eq!((all_above.lo, all_above.hi), (0.0, 0.2));
        assert_eq!(all_above.at(0.0), 100.0, "zero at the start");
        assert_eq!(all_above.at(0.2), 500.0, "the largest at the end");
        let across = Scale::around_zero([-0.1, 0.3], 0.0, 400.0);
        assert_eq!(across.at(0.0), 100.0, "a quarter of the way");
        assert_eq!(across.at(-0.1), 0.0);
    }

    #[test]
    fn nothing_to_draw_still_gives_finite_coordinates() {
        let empty = Scale::around_zero(std::iter::empty(), 10.0, 100.0);
        assert_eq!(empty.at(0.0), 10.0);
        let ignored = Scale::around_zero([f64::NAN, f64::INFINITY], 0.0, 100.0);
        assert!(ignored.at(0.0).is_finite());
        let no_counts = Scale::of_counts(0, 0.0, 400.0);
        assert_eq!(no_counts.size(0.0), 0.0);
        assert_eq!(no_counts.size(1.0), 400.0);
    }

    #[test]
    fn a_flipped_scale_puts_high_values_on_top() {
        let y = Scale::around_zero([-0.2, 0.2], 10.0, 160.0).flipped();
        assert_eq!(y.at(0.2), 10.0);
        assert_eq!(y.at(-0.2), 170.0);
        assert_eq!(y.at(0.0), 90.0);
    }

    #[test]
    fn stacked_segments_touch_and_sum_to_the_total() {
        let scale = Scale::of_counts(10, 90.0, 420.0);
        let (segments, end) = stacked(&[2, 0, 5, 3], &scale);
        assert_eq!(segments[0].x, 90.0);
        for pair in segments.windows(2) {
            assert!((pair[0].x + pair[0].width - pair[1].x).abs() < 1e-9);
        }
        assert!(
            (end - (90.0 + 420.0)).abs() < 1e-9,
            "ten of ten fill the width"
        );
        assert_eq!(segments[1].width, 0.0);
    }

    #[test]
    fn columns_are_whole_pixels_of_the_tallest() {
        assert_eq!(column_height(3, 3, 120), 120);
        assert_eq!(column_height(1, 3, 120), 40);
        assert_eq!(column_height(0, 0, 120), 0);
        assert_eq!(column_height(2, 7, 120), 34);
    }

    #[test]
    fn coordinates_have_one_decimal() {
        assert_eq!(coordinate(12.345), "12.3");
        assert_eq!(coordinate(-0.06), "-0.1");
    }
}
