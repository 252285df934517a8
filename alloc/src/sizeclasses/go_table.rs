//! Checks the size-class tables against Go's generated file
//! (go1.23 runtime/sizeclasses.go): its comment table, its literal lookup
//! arrays and its divmagic expressions, all re-expressed here as data.

use super::*;

/// One row of Go's comment table: class, bytes/obj, bytes/span, objects,
/// tail waste, max waste (percent, as Go prints it), min align.
type Row = (u8, usize, usize, usize, usize, &'static str, usize);

/// Go's comment table, all 67 real classes, in Go's column order.
#[rustfmt::skip]
const GO_ROWS: [Row; NUM_SIZE_CLASSES - 1] = [
    // class  size   span  objs tail   waste   align
    (  1,     8,  8192, 1024,   0,  "87.50",    8),
    (  2,    16,  8192,  512,   0,  "43.75",   16),
    (  3,    24,  8192,  341,   8,  "29.24",    8),
    (  4,    32,  8192,  256,   0,  "21.88",   32),
    (  5,    48,  8192,  170,  32,  "31.52",   16),
    (  6,    64,  8192,  128,   0,  "23.44",   64),
    (  7,    80,  8192,  102,  32,  "19.07",   16),
    (  8,    96,  8192,   85,  32,  "15.95",   32),
    (  9,   112,  8192,   73,  16,  "13.56",   16),
    ( 10,   128,  8192,   64,   0,  "11.72",  128),
    ( 11,   144,  8192,   56, 128,  "11.82",   16),
    ( 12,   160,  8192,   51,  32,   "9.73",   32),
    ( 13,   176,  8192,   46,  96,   "9.59",   16),
    ( 14,   192,  8192,   42, 128,   "9.25",   64),
    ( 15,   208,  8192,   39,  80,   "8.12",   16),
    ( 16,   224,  8192,   36, 128,   "8.15",   32),
    ( 17,   240,  8192,   34,  32,   "6.62",   16),
    ( 18,   256,  8192,   32,   0,   "5.86",  256),
    ( 19,   288,  8192,   28, 128,  "12.16",   32),
    ( 20,   320,  8192,   25, 192,  "11.80",   64),
    ( 21,   352,  8192,   23,  96,   "9.88",   32),
    ( 22,   384,  8192,   21, 128,   "9.51",  128),
    ( 23,   416,  8192,   19, 288,  "10.71",   32),
    ( 24,   448,  8192,   18, 128,   "8.37",   64),
    ( 25,   480,  8192,   17,  32,   "6.82",   32),
    ( 26,   512,  8192,   16,   0,   "6.05",  512),
    ( 27,   576,  8192,   14, 128,  "12.33",   64),
    ( 28,   640,  8192,   12, 512,  "15.48",  128),
    ( 29,   704,  8192,   11, 448,  "13.93",   64),
    ( 30,   768,  8192,   10, 512,  "13.94",  256),
    ( 31,   896,  8192,    9, 128,  "15.52",  128),
    ( 32,  1024,  8192,    8,   0,  "12.40", 1024),
    ( 33,  1152,  8192,    7, 128,  "12.41",  128),
    ( 34,  1280,  8192,    6, 512,  "15.55",  256),
    ( 35,  1408, 16384,   11, 896,  "14.00",  128),
    ( 36,  1536,  8192,    5, 512,  "14.00",  512),
    ( 37,  1792, 16384,    9, 256,  "15.57",  256),
    ( 38,  2048,  8192,    4,   0,  "12.45", 2048),
    ( 39,  2304, 16384,    7, 256,  "12.46",  256),
    ( 40,  2688,  8192,    3, 128,  "15.59",  128),
    ( 41,  3072, 24576,    8,   0,  "12.47", 1024),
    ( 42,  3200, 16384,    5, 384,   "6.22",  128),
    ( 43,  3456, 24576,    7, 384,   "8.83",  128),
    ( 44,  4096,  8192,    2,   0,  "15.60", 4096),
    ( 45,  4864, 24576,    5, 256,  "16.65",  256),
    ( 46,  5376, 16384,    3, 256,  "10.92",  256),
    ( 47,  6144, 24576,    4,   0,  "12.48", 2048),
    ( 48,  6528, 32768,    5, 128,   "6.23",  128),
    ( 49,  6784, 40960,    6, 256,   "4.36",  128),
    ( 50,  6912, 49152,    7, 768,   "3.37",  256),
    ( 51,  8192,  8192,    1,   0,  "15.61", 8192),
    ( 52,  9472, 57344,    6, 512,  "14.28",  256),
    ( 53,  9728, 49152,    5, 512,   "3.64",  512),
    ( 54, 10240, 40960,    4,   0,   "4.99", 2048),
    ( 55, 10880, 32768,    3, 128,   "6.24",  128),
    ( 56, 12288, 24576,    2,   0,  "11.45", 4096),
    ( 57, 13568, 40960,    3, 256,   "9.99",  256),
    ( 58, 14336, 57344,    4,   0,   "5.35", 2048),
    ( 59, 16384, 16384,    1,   0,  "12.49", 8192),
    ( 60, 18432, 73728,    4,   0,  "11.11", 2048),
    ( 61, 19072, 57344,    3, 128,   "3.57",  128),
    ( 62, 20480, 40960,    2,   0,   "6.87", 4096),
    ( 63, 21760, 65536,    3, 256,   "6.25",  256),
    ( 64, 24576, 24576,    1,   0,  "11.45", 8192),
    ( 65, 27264, 81920,    3, 128,  "10.00",  128),
    ( 66, 28672, 57344,    2,   0,   "4.91", 4096),
    ( 67, 32768, 32768,    1,   0,  "12.50", 8192),
];

/// Go's second comment table: (alignment, log2 alignment, smallest object
/// size from which every larger class is at least that aligned).
const GO_MIN_ALIGNS: [(usize, u32, usize); 7] = [
    (8, 3, 8),
    (16, 4, 32),
    (32, 5, 256),
    (64, 6, 512),
    (128, 7, 768),
    (4096, 12, 28672),
    (8192, 13, 32768),
];

/// Go's literal `size_to_class8`.
const GO_SIZE_TO_CLASS8: [u8; 129] = [
    0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15,
    16, 16, 17, 17, 18, 18, 19, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 21, 22, 22, 22, 22, 23, 23,
    23, 23, 24, 24, 24, 24, 25, 25, 25, 25, 26, 26, 26, 26, 27, 27, 27, 27, 27, 27, 27, 27, 28, 28,
    28, 28, 28, 28, 28, 28, 29, 29, 29, 29, 29, 29, 29, 29, 30, 30, 30, 30, 30, 30, 30, 30, 31, 31,
    31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
    32, 32, 32, 32, 32, 32,
];

/// Go's literal `size_to_class128`.
const GO_SIZE_TO_CLASS128: [u8; 249] = [
    32, 33, 34, 35, 36, 37, 37, 38, 38, 39, 39, 40, 40, 40, 41, 41, 41, 42, 43, 43, 44, 44, 44, 44,
    44, 45, 45, 45, 45, 45, 45, 46, 46, 46, 46, 47, 47, 47, 47, 47, 47, 48, 48, 48, 49, 49, 50, 51,
    51, 51, 51, 51, 51, 51, 51, 51, 51, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 53, 53, 54, 54, 54,
    54, 55, 55, 55, 55, 55, 56, 56, 56, 56, 56, 56, 56, 56, 56, 56, 56, 57, 57, 57, 57, 57, 57, 57,
    57, 57, 57, 58, 58, 58, 58, 58, 58, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59,
    59, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 61, 61, 61, 61, 61, 62, 62,
    62, 62, 62, 62, 62, 62, 62, 62, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 65, 65, 65, 65, 65, 65, 65,
    65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67,
    67, 67, 67, 67, 67, 67, 67, 67, 67,
];

/// Every row of Go's comment table follows from the Rust tables, with the
/// max-waste figure computed the way mksizeclasses computes it.
#[test]
fn comment_table_matches() {
    let mut prev_size = 0usize;
    for (i, &(class, size, span, objects, tail, waste, align)) in GO_ROWS.iter().enumerate() {
        let c = i + 1;
        assert_eq!(class as usize, c);
        assert_eq!(CLASS_TO_SIZE[c] as usize, size, "class {c}");
        assert_eq!(class_span_bytes(class), span, "class {c}");
        assert_eq!(class_nelems(class), objects, "class {c}");
        assert_eq!(span / size, objects, "class {c}");
        assert_eq!(span - objects * size, tail, "class {c}");
        // Worst case: a request one byte above the previous class, in every
        // slot, plus the unusable tail, over the span.
        let max_waste = ((size - prev_size - 1) * objects + tail) as f64 / span as f64;
        assert_eq!(format!("{:.2}", 100.0 * max_waste), waste, "class {c}");
        let bits = (size.trailing_zeros() as usize).min(PAGE_SHIFT);
        assert_eq!(1usize << bits, align, "class {c}");
        assert_eq!(class_align(class), align, "class {c}");
        prev_size = size;
    }
}

/// Go's "alignment / min obj size" table, recomputed as mksizeclasses does:
/// for each alignment, the first class of the final run of classes that all
/// have it.
#[test]
fn min_align_table_matches() {
    let mut min_aligns = [0usize; PAGE_SHIFT + 1];
    for &size in &CLASS_TO_SIZE[1..] {
        let bits = (size.trailing_zeros() as usize).min(PAGE_SHIFT);
        for (k, slot) in min_aligns.iter_mut().enumerate() {
            if k > bits {
                *slot = 0;
            } else if *slot == 0 {
                *slot = size as usize;
            }
        }
    }
    // Go prints one row per distinct size, keeping the strongest alignment.
    let mut printed = [(0usize, 0u32, 0usize); 7];
    let mut n = 0;
    for (k, &size) in min_aligns.iter().enumerate() {
        if size == 0 {
            break;
        }
        if min_aligns.get(k + 1) == Some(&size) {
            continue;
        }
        printed[n] = (1 << k, k as u32, size);
        n += 1;
    }
    assert_eq!(n, GO_MIN_ALIGNS.len());
    assert_eq!(printed, GO_MIN_ALIGNS);
}

/// The compile-time lookup tables equal Go's literal arrays.
#[test]
fn lookup_tables_match() {
    assert_eq!(SIZE_TO_CLASS8, GO_SIZE_TO_CLASS8);
    assert_eq!(SIZE_TO_CLASS128, GO_SIZE_TO_CLASS128);
}

/// Each divmagic is Go's `^uint32(0)/size + 1`; class 0 is 0.
#[test]
fn divmagic_matches() {
    assert_eq!(CLASS_TO_DIVMAGIC[0], 0);
    for (&magic, &size) in CLASS_TO_DIVMAGIC.iter().zip(&CLASS_TO_SIZE).skip(1) {
        assert_eq!(magic, u32::MAX / size as u32 + 1, "size {size}");
    }
}

/// Go's constants, and the page-count column checked against Go's literal.
#[test]
fn constants_and_npages_match() {
    assert_eq!(MIN_HEAP_ALIGN, 8);
    assert_eq!(MAX_SMALL_SIZE, 32768);
    assert_eq!(SMALL_SIZE_DIV, 8);
    assert_eq!(SMALL_SIZE_MAX, 1024);
    assert_eq!(LARGE_SIZE_DIV, 128);
    assert_eq!(NUM_SIZE_CLASSES, 68);
    assert_eq!(MAX_OBJS_PER_SPAN, 1024);
    assert_eq!(PAGE_SHIFT, 13);
    for &(class, _, span, ..) in &GO_ROWS {
        assert_eq!(
            CLASS_TO_ALLOCNPAGES[class as usize] as usize,
            span / PAGE_SIZE
        );
    }
}
