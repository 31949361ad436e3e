# bbn_resnet50_4xb32-180e_inat2018.py for GPUs with tensor cores: mixed
# precision (fp16 autocast, dynamic loss scaling) and channels-last memory
# format. Same data, model, schedule and alpha as the fp32 config;
# `tools/train.py CONFIG --amp` does the first half for any config.
_base_ = ['./bbn_resnet50_4xb32-180e_inat2018.py']
optim_wrapper = dict(type='AmpOptimWrapper', loss_scale='dynamic')
custom_hooks = [
    dict(
        type='CumulativeAlphaHook',
        schedule='parabolic_decay',
        official_t_quirk=False),
    dict(type='ChannelsLastHook'),
]
