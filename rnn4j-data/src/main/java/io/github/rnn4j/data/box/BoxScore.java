package io.github.rnn4j.data.box;

import java.util.List;

/**
 * How well predicted 1-D boxes match the true ones: mean IoU, the share of boxes found with
 * IoU at least 0.5 and at least 0.75 (the usual detection thresholds), and the mean error of
 * the two edges in steps. Computed from two equally long lists; it scores, it does not predict.
 */
public record BoxScore(int count, double meanIou, double hit50, double hit75, double meanEdgeError) {

    public static BoxScore of(List<Box> truth, List<Box> predicted) {
        if (truth.size() != predicted.size()) {
            throw new IllegalArgumentException("BoxScore: " + truth.size() + " true boxes but "
                    + predicted.size() + " predicted");
        }
        if (truth.isEmpty()) throw new IllegalArgumentException("BoxScore: no boxes to score");
        double iou = 0, edge = 0;
        int h50 = 0, h75 = 0;
        for (int i = 0; i < truth.size(); i++) {
            Box t = truth.get(i), p = predicted.get(i);
            double v = t.iou(p);
            iou += v;
            if (v >= 0.5) h50++;
            if (v >= 0.75) h75++;
            edge += 0.5 * (Math.abs(t.start() - p.start()) + Math.abs(t.end() - p.end()));
        }
        int n = truth.size();
        return new BoxScore(n, iou / n, (double) h50 / n, (double) h75 / n, edge / n);
    }
}
