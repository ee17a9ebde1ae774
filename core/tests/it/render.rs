//! The render port's pure parts: culling, batching, the camera rig, effects by name.

use trystero_core::render::{
    CameraRig, Color, Frame, ImageId, Layer, RecordingRenderer, RenderError, Renderer, Sprite,
    View, plan,
};

fn grid(count: usize, layer_of: impl Fn(usize) -> Layer) -> Frame {
    let mut frame = Frame {
        view: View {
            centre: [320.0, 180.0],
            ..View::default()
        },
        ..Frame::default()
    };
    for index in 0..count {
        let (x, y) = ((index % 100) as f32 * 6.4, (index / 100) as f32 * 3.6);
        let mut sprite = Sprite::new(
            layer_of(index),
            ImageId(1 + (index % 7) as u32),
            x,
            y,
            8.0,
            8.0,
        );
        sprite.z = (index % 13) as f32;
        frame.draw(sprite);
    }
    frame
}

#[test]
fn ten_thousand_sprites_of_one_atlas_take_one_draw_call_a_layer() {
    let frame = grid(10_000, |index| Layer::ALL[index % 4]);
    let plan = plan(&frame, 640.0, 360.0, |_| 0);
    assert_eq!(plan.culled, 0);
    assert_eq!(plan.order.len(), 10_000);
    assert_eq!(plan.batches.len(), 4);
    // Drawn by layer, then z.
    let key = |index: &u32| {
        let sprite = &frame.sprites[*index as usize];
        (sprite.layer, sprite.z)
    };
    assert!(
        plan.order
            .windows(2)
            .all(|pair| key(&pair[0]) <= key(&pair[1]))
    );
    let one_layer = grid(10_000, |_| Layer::Game);
    assert_eq!(plan_batches(&one_layer), 1);
}

fn plan_batches(frame: &Frame) -> usize {
    plan(frame, 640.0, 360.0, |_| 0).batches.len()
}

#[test]
fn a_second_texture_splits_batches_only_where_the_z_order_needs_it() {
    // Two textures on one layer, all at z 0: sorted by texture inside the z, two calls.
    let frame = grid(1_000, |_| Layer::Game);
    let split = plan(&frame, 640.0, 360.0, |image| image.0 % 2);
    let mut frame_z0 = frame.clone();
    for sprite in &mut frame_z0.sprites {
        sprite.z = 0.0;
    }
    assert_eq!(
        plan(&frame_z0, 640.0, 360.0, |image| image.0 % 2)
            .batches
            .len(),
        2
    );
    // With 13 z levels the textures alternate at most twice a level.
    assert!(split.batches.len() <= 26, "{}", split.batches.len());
}

#[test]
fn sprites_off_screen_are_culled_and_rotation_and_zoom_are_respected() {
    let mut frame = Frame::default();
    frame.view.centre = [0.0, 0.0];
    let at = |x: f32, y: f32| Sprite::new(Layer::Game, ImageId(1), x, y, 20.0, 20.0);
    frame.draw(at(0.0, 0.0)); // centre
    frame.draw(at(325.0, 0.0)); // overlaps the right edge (320)
    frame.draw(at(340.0, 0.0)); // just outside
    frame.draw(at(0.0, -200.0)); // above
    let mut ui = at(5_000.0, 5_000.0);
    ui.layer = Layer::Ui;
    frame.draw(ui); // UI is never culled
    let visible = |frame: &Frame| plan(frame, 640.0, 360.0, |_| 0).order;
    assert_eq!(visible(&frame), vec![0, 1, 4]);
    // Zoomed out twice as far, everything but the far UI-less sprite fits.
    frame.view.zoom = 0.5;
    assert_eq!(visible(&frame), vec![0, 1, 2, 3, 4]);
    frame.view.zoom = 1.0;
    frame.view.rotation = 0.3;
    assert!(
        visible(&frame).contains(&2),
        "a rotated view reaches further sideways"
    );
    let mut recorder = RecordingRenderer::new(640, 360, &["wolf"]);
    frame.view.rotation = 0.0;
    let stats = recorder.render(&frame).unwrap();
    assert_eq!((stats.sprites_drawn, stats.sprites_culled), (3, 2));
    assert_eq!(recorder.image("wolf"), Some(ImageId(1)));
}

#[test]
fn the_camera_follows_smoothly_and_settles() {
    let mut rig = CameraRig::new([0.0, 0.0], 1);
    let mut last = 0.0;
    for _ in 0..120 {
        rig.follow([100.0, 50.0], 1.0 / 60.0);
        let x = rig.view().centre[0];
        assert!(x >= last && x <= 100.0, "monotone, no overshoot: {x}");
        last = x;
    }
    assert!((rig.view().centre[0] - 100.0).abs() < 0.1);
    assert!((rig.view().centre[1] - 50.0).abs() < 0.1);
    rig.target_zoom = 2.0;
    for _ in 0..120 {
        rig.follow([100.0, 50.0], 1.0 / 60.0);
    }
    assert!((rig.zoom - 2.0).abs() < 0.01);
}

#[test]
fn shake_is_seeded_bounded_and_fades() {
    let run = |seed: u32| {
        let mut rig = CameraRig::new([0.0, 0.0], seed);
        rig.shake(1.0, 0.5);
        (0..40)
            .map(|_| {
                rig.update(1.0 / 60.0);
                rig.view()
            })
            .collect::<Vec<_>>()
    };
    let (a, b, c) = (run(7), run(7), run(8));
    assert_eq!(a, b, "the same seed shakes the same way");
    assert_ne!(a, c);
    let offsets: Vec<f32> = a
        .iter()
        .map(|view| (view.centre[0].powi(2) + view.centre[1].powi(2)).sqrt())
        .collect();
    assert!(offsets.iter().all(|o| *o <= 16.0 * 2.0_f32.sqrt()));
    assert!(
        offsets[..10].iter().any(|o| *o > 2.0),
        "it shakes: {offsets:?}"
    );
    // After the duration (30 frames), still.
    assert!(offsets[31..].iter().all(|o| *o == 0.0), "{offsets:?}");
    assert!(a[31..].iter().all(|view| view.rotation == 0.0));
}

#[test]
fn effects_are_named_and_unknown_names_are_typed_errors() {
    let mut frame = Frame::default();
    frame.add_particle_effect("explosion", 10.0, 20.0).unwrap();
    frame.add_particle_effect("explosion", 10.0, 20.0).unwrap();
    assert_ne!(frame.effects[0].seed, frame.effects[1].seed);
    assert_eq!(
        frame.add_particle_effect("confetti", 0.0, 0.0),
        Err(RenderError::UnknownEffect("confetti".into()))
    );
    frame.add_lighting(trystero_core::render::Light {
        x: 0.0,
        y: 0.0,
        radius: 100.0,
        color: Color::WHITE,
        shadows: true,
    });
    frame.occlude_box(0.0, 0.0, 10.0, 10.0);
    assert_eq!((frame.lights.len(), frame.occluders.len()), (1, 4));
}
