package io.github.rnn4j.data.box;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated task: labels that say the truth about the signals, reproducible from the seed, and the baselines. */
class BoxSignalsTest {

    @Test
    void sameSeedSameBitsOtherSeedOtherSignals() {
        BoxSignals.Spec spec = new BoxSignals.Spec();
        BoxSignals a = BoxSignals.generate(spec, 50, 7), b = BoxSignals.generate(spec, 50, 7), c = BoxSignals.generate(spec, 50, 8);
        assertArrayEquals(a.signals().data(), b.signals().data());
        assertEquals(a.boxes(), b.boxes());
        assertFalse(Arrays.equals(a.signals().data(), c.signals().data()));
        assertFalse(a.boxes().equals(c.boxes()));
    }

    @Test
    void labelsMatchTheBoxesAndTheSpec() {
        BoxSignals.Spec spec = new BoxSignals.Spec().length(40).widths(5, 12).maxSpikes(3);
        BoxSignals s = BoxSignals.generate(spec, 400, 3);
        assertArrayEquals(new int[]{400, 40, 1}, s.signals().shape());
        assertArrayEquals(new int[]{400, 2}, s.boxTargets().shape());
        assertArrayEquals(new int[]{400, 40, 1}, s.maskTargets().shape());
        EnumSet<BoxSignals.Shape> shapes = EnumSet.noneOf(BoxSignals.Shape.class);
        int[] widthCount = new int[13];
        for (int i = 0; i < s.size(); i++) {
            Box box = s.box(i);
            assertTrue(box.end() <= 40 && box.width() >= 5 && box.width() <= 12, "box " + box);
            widthCount[box.width()]++;
            assertEquals(box.start() / 40f, s.boxTargets().data()[2 * i]);
            assertEquals(box.end() / 40f, s.boxTargets().data()[2 * i + 1]);
            for (int t = 0; t < 40; t++) {
                boolean inside = t >= box.start() && t < box.end();
                assertEquals(inside ? 1f : 0f, s.maskTargets().data()[i * 40 + t], "signal " + i + " step " + t);
            }
            assertTrue(s.spikes(i).size() <= 3);
            for (Box sp : s.spikes(i)) {
                assertTrue(sp.width() <= 2, "spike " + sp);
                assertTrue(sp.end() < box.start() || sp.start() > box.end(), "spike " + sp + " touches object " + box);
            }
            shapes.add(s.shape(i));
        }
        assertEquals(EnumSet.allOf(BoxSignals.Shape.class), shapes, "all three shapes occur");
        for (int w = 5; w <= 12; w++) assertTrue(widthCount[w] > 0, "width " + w + " never drawn");
    }

    @Test
    void withoutNoiseTheObjectIsExactlyWhereTheBoxSays() {
        BoxSignals.Spec spec = new BoxSignals.Spec().noise(0).drift(0).maxSpikes(0);
        BoxSignals s = BoxSignals.generate(spec, 100, 11);
        for (int i = 0; i < s.size(); i++) {
            Box box = s.box(i);
            for (int t = 0; t < s.length(); t++) {
                float v = s.signals().data()[i * s.length() + t];
                boolean inside = t >= box.start() && t < box.end();
                assertEquals(inside, v > 0, "signal " + i + " (" + s.shape(i) + " at " + box + ") step " + t + " = " + v);
                if (inside) assertTrue(v <= 1.2 + 1e-6, "height " + v + " above the highest object");
            }
        }
    }

    @Test
    void matchedFilterFindsRectanglesInCleanSignalsAndBeatsTheMeanBoxInNoisyOnes() {
        BoxSignals clean = BoxSignals.generate(new BoxSignals.Spec().noise(0).drift(0).maxSpikes(0), 300, 5);
        List<Box> found = new ArrayList<>(), truth = new ArrayList<>();
        for (int i = 0; i < clean.size(); i++) {
            if (clean.shape(i) != BoxSignals.Shape.RECTANGLE) continue;
            truth.add(clean.box(i));
            found.add(BoxBaselines.matchedFilter(clean.signals().data(), i * 64, 64, 6));
        }
        BoxScore rect = BoxScore.of(truth, found);
        assertEquals(1.0, rect.meanIou(), "clean rectangles: half maximum of the smoothed signal is the object's edge");

        BoxSignals noisy = BoxSignals.generate(new BoxSignals.Spec(), 600, 6);
        List<Box> filter = new ArrayList<>(), mean = new ArrayList<>();
        Box m = BoxBaselines.meanBox(noisy.boxes().subList(0, 300));
        for (int i = 300; i < 600; i++) {
            filter.add(BoxBaselines.matchedFilter(noisy.signals().data(), i * 64, 64, 6));
            mean.add(m);
        }
        List<Box> test = noisy.boxes().subList(300, 600);
        double f = BoxScore.of(test, filter).meanIou(), b = BoxScore.of(test, mean).meanIou();
        assertTrue(f > b + 0.2, "matched filter " + f + " vs mean box " + b);
    }

    @Test
    void meanBoxIsTheRoundedMean() {
        assertEquals(new Box(3, 9), BoxBaselines.meanBox(List.of(new Box(2, 8), new Box(4, 10))));
        assertThrows(IllegalArgumentException.class, () -> BoxBaselines.meanBox(List.of()));
    }

    @Test
    void badSpecsNameTheValues() {
        assertMessage(() -> BoxSignals.generate(new BoxSignals.Spec().widths(30, 20), 10, 1), "widths 30..20");
        assertMessage(() -> BoxSignals.generate(new BoxSignals.Spec().length(16).widths(6, 24), 10, 1), "widths 6..24 for length 16");
        assertMessage(() -> BoxSignals.generate(new BoxSignals.Spec().noise(-1), 10, 1), "noise must be finite and >= 0, got -1.0");
        assertMessage(() -> BoxSignals.generate(new BoxSignals.Spec().heights(0, 1), 10, 1), "heights 0.0..1.0");
        assertMessage(() -> BoxSignals.generate(new BoxSignals.Spec(), 0, 1), "count must be positive, got 0");
        assertMessage(() -> BoxBaselines.matchedFilter(new float[10], 0, 10, 11), "window must be in 1..10, got 11");
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
